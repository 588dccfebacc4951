using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>How the next task the fake starts behaves.</summary>
/// <param name="PollsUntilStopped">Status polls answered <c>running</c> before <c>stopped</c> (1: stopped on the first poll).</param>
/// <param name="ExitStatus"><c>OK</c>, <c>WARNINGS: n</c> or an error text.</param>
/// <param name="Log">Task log lines.</param>
public sealed record TaskScript(int PollsUntilStopped = 1, string ExitStatus = "OK", IReadOnlyList<string>? Log = null);

/// <summary>The fake's task list: every write that returns a UPID starts one; scripts decide how it ends.</summary>
public sealed class FakeTasks
{
    private readonly ConcurrentQueue<TaskScript> _scripts = new();
    private readonly ConcurrentDictionary<string, RunningTask> _tasks = new(StringComparer.Ordinal);
    private int _pid = 0x1000;

    /// <summary>Makes the next started task follow <paramref name="script"/>.</summary>
    public void ScriptNext(TaskScript script) => _scripts.Enqueue(script);

    /// <summary>Status polls seen for <paramref name="upid"/>.</summary>
    public int PollsOf(string upid) => _tasks.TryGetValue(upid, out var task) ? task.Polls : 0;

    /// <summary>UPIDs started so far.</summary>
    public IReadOnlyCollection<string> Started => _tasks.Keys.ToList();

    /// <summary>Starts a task and returns its UPID (pve-common UPID.pm layout, trailing colon included).</summary>
    public string Start(string node, string type, string id, string user)
    {
        var script = _scripts.TryDequeue(out var next) ? next : new TaskScript();
        var pid = Interlocked.Increment(ref _pid);
        var start = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var upid = string.Create(CultureInfo.InvariantCulture, $"UPID:{node}:{pid:X8}:{pid * 7:X8}:{start:X8}:{type}:{id}:{user}:");
        _tasks[upid] = new RunningTask(upid, node, type, id, user, pid, start, script);
        return upid;
    }

    /// <summary>The status answer for a poll, or null for an unknown UPID.</summary>
    public JsonObject? Poll(string upid)
    {
        if (!_tasks.TryGetValue(upid, out var task))
            return null;
        var polls = Interlocked.Increment(ref task.Polls);
        var status = new JsonObject
        {
            ["upid"] = upid, ["node"] = task.Node, ["pid"] = task.Pid, ["pstart"] = task.Pid * 7, ["starttime"] = task.Start,
            ["type"] = task.Type, ["id"] = task.Id, ["user"] = task.User,
            ["status"] = polls >= task.Script.PollsUntilStopped ? "stopped" : "running",
        };
        if (polls >= task.Script.PollsUntilStopped)
            status["exitstatus"] = task.Script.ExitStatus;
        return status;
    }

    /// <summary>The log answer (<c>[{n, t}]</c>), or null for an unknown UPID.</summary>
    public JsonArray? Log(string upid, int start, int limit)
    {
        if (!_tasks.TryGetValue(upid, out var task))
            return null;
        var lines = new List<string>(task.Script.Log ?? []);
        if (task.Script.ExitStatus != "OK" && !task.Script.ExitStatus.StartsWith("WARNINGS", StringComparison.Ordinal))
            lines.Add($"TASK ERROR: {task.Script.ExitStatus}");
        else
            lines.Add(task.Script.ExitStatus == "OK" ? "TASK OK" : $"TASK {task.Script.ExitStatus}");
        var array = new JsonArray();
        for (var i = start; i < lines.Count && i < start + limit; i++)
            array.Add(new JsonObject { ["n"] = i + 1, ["t"] = lines[i] });
        return array;
    }

    private sealed class RunningTask(string upid, string node, string type, string id, string user, int pid, long start, TaskScript script)
    {
        public int Polls;
        public string Upid { get; } = upid;
        public string Node { get; } = node;
        public string Type { get; } = type;
        public string Id { get; } = id;
        public string User { get; } = user;
        public int Pid { get; } = pid;
        public long Start { get; } = start;
        public TaskScript Script { get; } = script;
    }
}
