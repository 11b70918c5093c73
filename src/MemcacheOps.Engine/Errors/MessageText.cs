using System.Globalization;
using System.Text;

namespace MemcacheOps.Engine;

/// <summary>How user- or network-supplied text is shown inside error messages.</summary>
public static class MessageText
{
    /// <summary>
    /// Returns <paramref name="text"/> cut to <paramref name="maxChars"/> (with "..." when cut) and with control
    /// characters written as \uXXXX, so hostile or binary input cannot forge log lines or flood a message.
    /// </summary>
    public static string Show(string text, int maxChars = 60)
    {
        var builder = new StringBuilder(Math.Min(text.Length, maxChars) + 3);
        var shown = 0;
        foreach (var c in text)
        {
            if (shown >= maxChars)
            {
                builder.Append("...");
                break;
            }
            if (char.IsControl(c))
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else
                builder.Append(c);
            shown++;
        }
        return builder.ToString();
    }
}
