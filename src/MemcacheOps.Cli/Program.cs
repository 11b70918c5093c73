// Entry point placeholder so the solution builds until the command-line front end lands.
Console.Error.WriteLine("memcacheops: no commands are available in this build yet.");
return 2;
