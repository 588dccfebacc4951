using Appliance.Proxmox.Ssh;
using Appliance.Proxmox.Workflows;
using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Proxmox;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace Appliance.Web.Components.Pages.Proxmox;

/// <summary>
/// Imports the project's qcow2 as the appliance template; when the API cannot (older PVE, no import storage) it says why and
/// asks for SSH access, then shows the SSH host key for the admin to pin.
/// </summary>
public partial class TemplatePage : IDisposable
{
    [Inject]
    private TemplateImportService Importer { get; set; } = default!;

    [Inject]
    private ProxmoxSiteStore Sites { get; set; } = default!;

    [Inject]
    private CurrentActor Current { get; set; } = default!;

    private TemplateForm Input { get; set; } = new();

    private EditContext FormContext { get; set; } = default!;

    private SshForm Ssh { get; set; } = new();

    private IBrowserFile? Upload { get; set; }

    private string? StagedPath { get; set; }

    private StepLog? Log { get; set; }

    private TemplateImportOutcome? Outcome { get; set; }

    /// <summary>SSH settings of the last SSH run, for pinning its host key.</summary>
    private SshHostSettings? LastSsh { get; set; }

    private bool AskSsh { get; set; }

    private string? SshReason { get; set; }

    private bool IsAdmin { get; set; }

    private bool Running { get; set; }

    private string? Problem { get; set; }

    private string? Notice { get; set; }

    protected override async Task OnInitializedAsync()
    {
        FormContext = new EditContext(Input);
        IsAdmin = await Current.IsAdminAsync();
        if (await Sites.ReadAsync() is { } site)
        {
            Input.Node = site.Node ?? "";
            Ssh.Host = site.SshHost ?? site.BaseUrl.Host;
            Ssh.Port = site.SshPort ?? 22;
            Ssh.User = site.SshUser ?? "root";
            Ssh.PinnedHostKey = site.SshHostKey;
            Ssh.HasStoredKey = site.HasSshKey;
        }
        else
        {
            Problem = new ProxmoxNotConnectedException().Message;
        }
    }

    private void ChooseFile(InputFileChangeEventArgs e)
    {
        Upload = e.File;
        Input.UploadFileName = e.File.Name;
        FormContext.NotifyFieldChanged(FormContext.Field(nameof(TemplateForm.UploadFileName)));
    }

    // SSH access stored earlier is offered to the workflow, which uses it only where the API cannot do the job.
    private async Task ImportAsync() => await RunAsync(await Importer.StoredSshAsync());

    private async Task ImportOverSshAsync()
    {
        var stored = await Importer.StoredSshAsync();
        await RunAsync(Ssh.ToSettings(stored?.PrivateKey));
    }

    private async Task RunAsync(SshHostSettings? ssh)
    {
        Running = true;
        Problem = Notice = null;
        Outcome = null;
        if (Log is not null)
            Log.Changed -= Refresh;
        Log = new StepLog();
        Log.Changed += Refresh;
        try
        {
            var (path, fileName) = await ImageAsync();
            Outcome = await Importer.ImportAsync(await PanelOperator.OfAsync(Current), Input.ToChoices(ssh), path, fileName, Log);
            LastSsh = ssh;
            if (Outcome.NeedsSsh)
            {
                AskSsh = true;
                SshReason = Outcome.Result.Error;
            }
            else if (Outcome.Result.Succeeded)
            {
                AskSsh = false;
                Discard();
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            Problem = e.Message;
        }
        finally
        {
            Running = false;
        }
    }

    /// <summary>The image to import: the panel-host file, or the browser upload staged once (kept for a retry over SSH).</summary>
    private async Task<(string Path, string FileName)> ImageAsync()
    {
        if (Input.Source == ImageSource.PanelHost)
        {
            var path = Input.HostPath!.Trim();
            return (path, Path.GetFileName(path));
        }
        if (StagedPath is null || !File.Exists(StagedPath))
        {
            await using var stream = Upload!.OpenReadStream(TemplateImportService.MaxUploadBytes);
            long size = Upload.Size;
            var log = Log;
            log?.Report(new WorkflowStep("browser-upload", StepState.Started, P["BrowserUploadProgress", Mib(0), Mib(size)]));
            StagedPath = await Importer.StageAsync(stream, Upload.Name,
                new InlineProgress(bytes => log?.Report(new WorkflowStep("browser-upload", StepState.Waiting, P["BrowserUploadProgress", Mib(bytes), Mib(size)]))));
            log?.Report(new WorkflowStep("browser-upload", StepState.Succeeded, P["BrowserUploadDone", Mib(size)]));
        }
        return (StagedPath, Path.GetFileName(Upload!.Name));
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reports on the reading thread (Progress&lt;T&gt; would post to the circuit, which is busy reading).</summary>
    private sealed class InlineProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    // The admin compared the key shown with the node's: pin it, then run the import again against exactly that key.
    private async Task PinAndImportAsync(string hostKey)
    {
        if (LastSsh is null)
            return;
        try
        {
            await Importer.PinSshAsync(await PanelOperator.OfAsync(Current), LastSsh, hostKey);
            Ssh.PinnedHostKey = hostKey;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or ArgumentException or ProxmoxSetupMissingException)
        {
            Problem = e.Message;
            return;
        }
        await RunAsync(LastSsh with { PinnedHostKey = hostKey });
        Notice ??= P["NoticeHostKeyPinned", hostKey];
    }

    private void Refresh() => _ = InvokeAsync(StateHasChanged);

    private void Discard()
    {
        if (StagedPath is not null)
        {
            Importer.Unstage(StagedPath);
            StagedPath = null;
        }
    }

    public void Dispose()
    {
        if (Log is not null)
            Log.Changed -= Refresh;
        Discard();
        GC.SuppressFinalize(this);
    }
}
