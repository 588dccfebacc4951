# The appliance panel (src/Appliance.Web). Built from the repository root by docker-compose.yml:
#   docker compose build panel
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so a code change does not re-download packages.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Appliance.Contracts/Appliance.Contracts.csproj src/Appliance.Contracts/
COPY src/Appliance.Web/Appliance.Web.csproj src/Appliance.Web/
RUN dotnet restore src/Appliance.Web/Appliance.Web.csproj
COPY src/Appliance.Contracts/ src/Appliance.Contracts/
COPY src/Appliance.Web/ src/Appliance.Web/
RUN dotnet publish src/Appliance.Web/Appliance.Web.csproj -c Release --no-restore -o /app -p:UseAppHost=false -p:DebugType=none

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
# A volume mounted on this path takes its ownership from the image: the unprivileged app user owns it. It holds the
# database and the data-protection keys (keys/), which sign the sign-in cookies.
RUN install -d -o "$APP_UID" -m 0700 /var/lib/appliance-panel
COPY --from=build /app .
ENV ASPNETCORE_HTTP_PORTS=8080 \
    PANEL_DATA=/var/lib/appliance-panel \
    DOTNET_EnableDiagnostics=0
EXPOSE 8080
USER $APP_UID
# The image has no curl: bash's /dev/tcp asks for a static asset (no agent round trip behind it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /app.css HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "Appliance.Web.dll"]
