using Appliance.Proxmox.Ssh;

namespace Appliance.Web.Proxmox;

public static class ProxmoxRegistration
{
    /// <summary>The stored Proxmox connection and the services of the Proxmox pages (connect, appliance VM, pre-flight, deploy, template import).</summary>
    public static WebApplicationBuilder AddProxmox(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ProxmoxSiteStore>();
        services.AddSingleton<ProxmoxClients>();
        services.AddSingleton<ProxmoxConnector>();
        services.AddSingleton<ApplianceVmService>();
        services.AddSingleton<PreflightService>();
        services.AddSingleton<DeployService>();
        services.AddSingleton<IPveShellFactory, SshPveShellFactory>();
        services.AddSingleton<TemplateImportService>();
        return builder;
    }
}
