using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Fog.Cli.Commands;

/// <summary>The logging options every <c>fog serve</c> command takes: <c>--log-level</c> and <c>--log-json</c>.</summary>
internal sealed class ServeLogging
{
    private readonly Option<LogLevel> _level = new("--log-level")
    {
        Description = "Least severe log level written: Trace, Debug, Information, Warning, Error or Critical.",
        DefaultValueFactory = _ => LogLevel.Information,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Enum.TryParse<LogLevel>(text, ignoreCase: true, out var level) && Enum.IsDefined(level) && level != LogLevel.None)
            {
                return level;
            }

            result.AddError($"--log-level: '{text}' is not a log level; use Trace, Debug, Information, Warning, Error or Critical");
            return LogLevel.Information;
        },
    };

    private readonly Option<bool> _json = new("--log-json") { Description = "Write logs as JSON lines (one object per line, for log collectors) instead of text." };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    internal ServeLogging AddTo(Command command)
    {
        command.Options.Add(_level);
        command.Options.Add(_json);
        return this;
    }

    internal LogLevel Level(ParseResult parse) => parse.GetValue(_level);

    internal bool Json(ParseResult parse) => parse.GetValue(_json);

    /// <summary>A logger factory for parts that log before or beside the server's own logging (block followers).</summary>
    internal ILoggerFactory CreateFactory(ParseResult parse)
    {
        var level = Level(parse);
        var json = Json(parse);
        return LoggerFactory.Create(logging =>
        {
            logging.SetMinimumLevel(level);
            if (json)
            {
                logging.AddJsonConsole();
            }
            else
            {
                logging.AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.TimestampFormat = "HH:mm:ss ";
                });
            }
        });
    }
}
