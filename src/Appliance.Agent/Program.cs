using Appliance.Agent;
using Appliance.Agent.Cli;

if (args.Length > 0 && args[0] == "serve")
{
    if (args.Contains("--help") || args.Contains("-h"))
        return ServeUsage(Console.Out, 0);
    return await ServeCommand.RunAsync(args[1..]);
}
if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("appliance-agent: runs on Linux only");
    return 1;
}
return await AgentCli.RunAsync(args, Console.Out, Console.Error);

static int ServeUsage(TextWriter to, int code)
{
    to.WriteLine("""
        usage: appliance-agent serve [--config FILE] [--listen ADDRESS:PORT] [--uplink-nic NIC | --uplink-bridge BRIDGE]
                                     [--lab-bridge NAME] [--uplink-tap NAME] [--all-layer2] [--state-dir PATH]
                                     [--pairing-token-file FILE]
          --config              JSON config (default /etc/appliance/agent.json if it exists, else <state>/agent.json if it
                                exists, else built-in defaults); APPLIANCE_SECTION__KEY variables override it, flags override both
          --listen              where the HTTPS API listens (api.listen; default 127.0.0.1:7443)
          --uplink-nic          attach straight to the PPPoE NIC with a raw socket (uplink.nic)
          --uplink-bridge       join an existing Linux bridge with the agent's uplink TAP (uplink.bridge)
          --lab-bridge          the bridge a lab run creates when no uplink is named (uplink.labBridge; default appl-lab0)
          --uplink-tap          the uplink TAP's name (default appl-up0)
          --all-layer2          carry every EtherType, not only PPPoE (switch.policy all-layer2)
          --state-dir           the CA, keys and client registry (default: $STATE_DIRECTORY under systemd,
                                <checkout>/.lab/state when run from a source checkout, else /var/lib/appliance)
          --pairing-token-file  a preset pairing token to adopt at start and delete (default /etc/appliance/pairing.token)
        other commands: appliance-agent --help
        """);
    return code;
}
