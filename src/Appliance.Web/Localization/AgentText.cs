namespace Appliance.Web.Localization;

/// <summary>
/// Marker of the strings of the agent-facing pages (agents, clients, sessions, history, download links):
/// <c>Localization/AgentText.resx</c> and <c>AgentText.zh-Hant.resx</c>, beside the foundation's <see cref="Text"/>.
/// </summary>
public sealed class AgentText;
