using System.Runtime.Versioning;
using Appliance.Web.Tests.Browser;

namespace Appliance.Web.Tests.EndToEnd;

/// <summary>
/// Every part of <see cref="PppoeThroughPanelEndToEndTests"/> but the browser and the OpenVPN client: the real agent with
/// its lab ISP, the panel with its clock following real time, and the remote machine (its namespace and the dialling
/// guest). Started so that both guests boot while the panel is being set up; torn down in reverse order, also when
/// starting failed half-way.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PppoeRig : IAsyncDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("panel-e2e-pppoe-").FullName;
    private readonly Stack<Func<ValueTask>> _teardown = new();

    private PppoeRig()
    {
    }

    public RealAgent Agent { get; private set; } = default!;

    public KestrelPanel Panel { get; private set; } = default!;

    /// <summary>The remote machine's namespace, whose bridge the OpenVPN client's TAP is to join.</summary>
    public DialNamespace Remote { get; private set; } = default!;

    public PppdDialGuest Dialer { get; private set; } = default!;

    /// <summary>Scratch for the test's own files (the downloaded profile); deleted at dispose.</summary>
    public string Scratch => _scratch;

    public static async Task<PppoeRig> StartAsync(string user, string password, string ispAddress)
    {
        var rig = new PppoeRig();
        try
        {
            rig.Agent = await RealAgent.StartAsync(labPppoeServer: true);
            rig._teardown.Push(rig.Agent.DisposeAsync);
            rig.Panel = new KestrelPanel();
            rig._teardown.Push(() => Sync(rig.Panel.Dispose));
            var clock = new ClockFollower(rig.Panel.Clock);
            rig._teardown.Push(clock.DisposeAsync);
            rig.Remote = DialNamespace.Create();
            rig._teardown.Push(() => Sync(rig.Remote.Dispose));
            string guestDirectory = Directory.CreateDirectory(Path.Combine(rig._scratch, "dialer")).FullName;
            rig.Dialer = PppdDialGuest.Start(rig.Remote, guestDirectory, user, password, ispAddress);
            rig._teardown.Push(() => Sync(rig.Dialer.Dispose));
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
        return rig;
    }

    public async ValueTask DisposeAsync()
    {
        List<Exception> failures = [];
        while (_teardown.TryPop(out var step))
        {
            try
            {
                await step();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        if (Directory.Exists(_scratch))
            Directory.Delete(_scratch, recursive: true);
        if (failures.Count > 0)
            throw new AggregateException("tearing down the PPPoE rig failed", failures);
    }

    private static ValueTask Sync(Action dispose)
    {
        dispose();
        return ValueTask.CompletedTask;
    }
}
