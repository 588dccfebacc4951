using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Components;
using Appliance.Web.Data;
using Appliance.Web.Downloads;
using Appliance.Web.Endpoints;
using Appliance.Web.Localization;
using Appliance.Web.Proxmox;
using Appliance.Web.Security;

var builder = WebApplication.CreateBuilder(args);

builder.AddPanelDatabase();
builder.AddPanelAuth();
builder.AddPanelLocalization();
builder.AddPanelUi();
builder.AddPanelAgents();
builder.AddProxmox();

var app = builder.Build();

app.UseForwardedHeadersFromKnownProxies();
app.UseDownloadRateLimit();
app.MapPanelEndpoints();
app.MapAgentDownloads();

app.Run();

/// <summary>Entry point, visible to the test host.</summary>
public partial class Program;
