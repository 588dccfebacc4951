using Appliance.Agent;

return args.Length > 0 && args[0] == "serve"
    ? await ServeCommand.RunAsync(args[1..])
    : Usage();

static int Usage()
{
    Console.Error.WriteLine("""
        usage: appliance-agent serve [--listen ADDRESS:PORT] [--uplink-nic NIC | --uplink-bridge BRIDGE] [--lab-bridge NAME] [--all-layer2] [--state-dir PATH]
          serve            run the appliance daemon: the L2 engine and its control API
          --listen         where the API listens (default 127.0.0.1:7080)
          --uplink-nic     attach straight to the PPPoE NIC with a raw socket
          --uplink-bridge  join an existing Linux bridge with the agent's uplink TAP
          --lab-bridge     the bridge a lab run creates when no uplink is named (default appl-lab0)
          --all-layer2     carry every EtherType, not only PPPoE
          --state-dir      the CA, keys and client registry (default: $STATE_DIRECTORY under systemd,
                           <checkout>/.lab/state when run from a source checkout, else /var/lib/appliance)
        """);
    return 2;
}
