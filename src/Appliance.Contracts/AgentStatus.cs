namespace Appliance.Contracts;

/// <summary>What the agent's health endpoint answers.</summary>
public sealed record AgentStatus(string Version, string Uplink, string UplinkKind, DateTimeOffset StartedAt, IReadOnlyList<PortStatus> Ports);

/// <summary>One switch port and its counters, as the agent reports it.</summary>
public sealed record PortStatus(int Id, string Name, string Kind, int LearnedMacs, DirectionCountersDto In, DirectionCountersDto Out);

/// <summary>One direction's counters. Keys are stable names: size class "14-33", family "PppoeSession" (the engine's EtherTypeFamily), PPPoE code "PADI", PPP protocol "IPV6CP", control "IPCP Configure-Ack", header status, drop "queue_full".</summary>
public sealed record DirectionCountersDto(
    long Frames,
    long Bytes,
    long VlanTaggedFrames,
    long DroppedFrames,
    long DroppedBytes,
    IReadOnlyDictionary<string, long> BySize,
    IReadOnlyDictionary<string, long> ByFamily,
    IReadOnlyDictionary<string, long> ByPppoeCode,
    IReadOnlyDictionary<string, long> ByPppProtocol,
    IReadOnlyDictionary<string, long> ByPppControl,
    IReadOnlyDictionary<string, long> ByHeaderStatus,
    IReadOnlyDictionary<string, long> Drops);
