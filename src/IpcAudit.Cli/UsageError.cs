using System.CommandLine;
using System.CommandLine.Parsing;

namespace IpcAudit.Cli;

/// <summary>
/// A command line that does not parse, as one line on stderr: the first thing wrong, and for a
/// mistyped command or option the closest valid name ("did you mean `report`?"), never a screen of
/// System.CommandLine's messages for every token after the typo.
/// </summary>
public static class UsageError
{
    public static string OneLine(ParseResult result)
    {
        var command = result.CommandResult.Command;
        var where = CommandLine(result.CommandResult);
        var unknown = result.UnmatchedTokens.FirstOrDefault() ?? OptionLikeArgument(result);
        if (unknown is not null)
        {
            if (unknown.StartsWith('-'))
            {
                var options = command.Options.Concat(Recursive(result.CommandResult)).Where(o => !o.Hidden)
                    .SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct().ToList();
                var name = unknown.Split('=')[0];
                return $"unknown option '{name}' for `{where}`{Suggestion(name, options, where)}";
            }
            if (command.Subcommands.Count > 0 && result.CommandResult.Parent is null && result.Tokens.FirstOrDefault()?.Value == unknown)
                return $"unknown command '{unknown}'{Suggestion(unknown, command.Subcommands.Select(c => c.Name).ToList(), where)}";
            return $"unexpected argument '{unknown}' for `{where}` (see `{where} --help`)";
        }
        if (command.Subcommands.Count > 0 && result.CommandResult.Parent is null)
            return $"no command given: one of {string.Join(", ", command.Subcommands.Select(c => c.Name))} (see `{where} --help`)";
        var first = result.Errors.FirstOrDefault()?.Message ?? "invalid command line";
        return $"{first.TrimEnd('.')} (see `{where} --help`)";
    }

    /// <summary>show and diff take free arguments, so a mistyped option lands there instead of among unmatched tokens.</summary>
    private static string? OptionLikeArgument(ParseResult result) =>
        result.Tokens.FirstOrDefault(t => t.Type == TokenType.Argument && t.Value.StartsWith("--", StringComparison.Ordinal))?.Value;

    private static IEnumerable<Option> Recursive(CommandResult command)
    {
        for (var parent = command.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
            foreach (var o in parent.Command.Options.Where(o => o.Recursive)) yield return o;
    }

    /// <summary>" (did you mean `x`?)" for the closest name within a few edits; otherwise the list.</summary>
    internal static string Suggestion(string typed, IReadOnlyList<string> valid, string where)
    {
        var best = valid.Select(v => (Name: v, Distance: Distance(typed.ToLowerInvariant(), v)))
            .OrderBy(v => v.Distance).ThenBy(v => v.Name, StringComparer.Ordinal).FirstOrDefault();
        var close = best.Name is not null && (best.Distance <= Math.Max(2, best.Name.Length / 3)
                                              || best.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase) && typed.TrimStart('-').Length >= 2);
        return close ? $" (did you mean `{best.Name}`?)" : $" (valid: {string.Join(", ", valid)}; see `{where} --help`)";
    }

    /// <summary>Optimal string alignment distance: a swapped pair of letters (reprot) counts as one edit.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>"ipcaudit collect" for the command a parse ended in, whatever the executable is called.</summary>
    public static string CommandLine(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? r = command; r is CommandResult c; r = c.Parent)
            names.Insert(0, c.Parent is null ? "ipcaudit" : c.Command.Name);
        return string.Join(' ', names);
    }
}
