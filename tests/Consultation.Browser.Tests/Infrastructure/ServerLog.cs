using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Consultation.Browser.Tests.Infrastructure;

/// <summary>
/// Keeps the app's warnings and errors in memory, so a failing browser test can say what the server
/// logged (a page only shows "could not send the email"; the log says why).
/// </summary>
public sealed class ServerLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public int Count => _entries.Count;

    public IReadOnlyList<string> Since(int index) => _entries.Skip(index).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var text = $"{logLevel} {category}: {formatter(state, exception)}";
            if (exception is not null) text += $" — {exception.GetType().Name}: {exception.Message}";
            entries.Enqueue(text);
        }
    }
}
