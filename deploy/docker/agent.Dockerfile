# appliance-agent for a lab on a Linux host (docker-compose.yml, profile "lab"); the appliance itself runs
# the agent in its VM image (deploy/proxmox/build-image.sh).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Appliance.Contracts/Appliance.Contracts.csproj src/Appliance.Contracts/
COPY src/Appliance.Tunnel/Appliance.Tunnel.csproj src/Appliance.Tunnel/
COPY src/Appliance.Agent/Appliance.Agent.csproj src/Appliance.Agent/
RUN dotnet restore src/Appliance.Agent/Appliance.Agent.csproj
COPY src/Appliance.Contracts/ src/Appliance.Contracts/
COPY src/Appliance.Tunnel/ src/Appliance.Tunnel/
COPY src/Appliance.Agent/ src/Appliance.Agent/
RUN dotnet publish src/Appliance.Agent/Appliance.Agent.csproj -c Release --no-restore -o /app -p:UseAppHost=false -p:DebugType=none

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iproute2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV DOTNET_EnableDiagnostics=0
# Root inside the container, but docker-compose.yml drops every capability except NET_ADMIN and NET_RAW.
# State (CA, keys, pairing token hash, local access file) in /var/lib/appliance: mount a volume there.
# The health check is the agent's own CLI: GET /api/v1/health over HTTPS with the local access file's pinned
# certificate and token (bash's /dev/tcp cannot speak TLS, and the image has no curl).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["dotnet", "appliance-agent.dll", "status"]
ENTRYPOINT ["dotnet", "appliance-agent.dll"]
CMD ["serve", "--listen", "127.0.0.1:7443"]
