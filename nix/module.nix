# A NixOS module for docker-daemon-exporter, shaped as nixpkgs' services.prometheus.exporters.<name>
# (enable, port, listenAddress, extraFlags, openFirewall), with a textfile variant for node_exporter.
#   imports = [ /path/to/docker-daemon-exporter/nix/module.nix ];
#   services.docker-daemon-exporter.enable = true;
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.docker-daemon-exporter;
  inherit (lib)
    escapeShellArgs
    hasInfix
    mkEnableOption
    mkIf
    mkMerge
    mkOption
    optionals
    types
    ;
  address = if hasInfix ":" cfg.listenAddress then "[${cfg.listenAddress}]" else cfg.listenAddress;

  # Read-only powers, as packaging/systemd: the docker group for the socket (root-equivalent: nothing else
  # runs as this user), CAP_DAC_READ_SEARCH to measure the whole data root, CAP_SYS_PTRACE to read dockerd's
  # /proc entry (its command line, environment and the /nix/store daemon.json it reads).
  hardening = {
    DynamicUser = true;
    SupplementaryGroups = [ "docker" ];
    AmbientCapabilities = [
      "CAP_DAC_READ_SEARCH"
      "CAP_SYS_PTRACE"
    ];
    CapabilityBoundingSet = [
      "CAP_DAC_READ_SEARCH"
      "CAP_SYS_PTRACE"
    ];
    NoNewPrivileges = true;
    ProtectSystem = "strict";
    # Rootless daemons keep daemon.json and the data root under a home directory.
    ProtectHome = "read-only";
    ReadOnlyPaths = [ "/" ];
    PrivateTmp = true;
    PrivateDevices = true;
    ProtectKernelTunables = true;
    ProtectKernelModules = true;
    ProtectKernelLogs = true;
    ProtectControlGroups = true;
    ProtectClock = true;
    ProtectHostname = true;
    RestrictNamespaces = true;
    RestrictRealtime = true;
    RestrictSUIDSGID = true;
    LockPersonality = true;
    # V8 compiles JavaScript to machine code at run time.
    MemoryDenyWriteExecute = false;
    SystemCallArchitectures = "native";
    SystemCallFilter = [
      "@system-service"
      "~@privileged @resources"
      # Lowering its own priority needs no privilege: the data-root walkers take idle I/O (ionice) and nice 10.
      "setpriority ioprio_set"
    ];
    # A call the filter denies fails (EPERM) instead of killing the process.
    SystemCallErrorNumber = "EPERM";
  };
in
{
  options.services.docker-daemon-exporter = {
    enable = mkEnableOption "the Prometheus exporter for the Docker daemon (docker-daemon-exporter)";

    package = mkOption {
      type = types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./package.nix { }";
      description = "The docker-daemon-exporter package.";
    };

    port = mkOption {
      type = types.port;
      default = 9326;
      description = "Port to listen on.";
    };

    listenAddress = mkOption {
      type = types.str;
      default = "0.0.0.0";
      description = "Address to listen on.";
    };

    extraFlags = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "--collector.disable-defaults" ];
      description = "Extra command-line flags (docker-daemon-exporter --help).";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = false;
      description = "Open the port in the firewall.";
    };

    textfile = {
      enable = mkEnableOption "writing the metrics on a timer for node_exporter's textfile collector, instead of or beside the service";

      directory = mkOption {
        type = types.str;
        default = "/var/lib/prometheus-node-exporter-text-files";
        description = "node_exporter's --collector.textfile.directory; the metrics go to docker.prom in it.";
      };

      interval = mkOption {
        type = types.str;
        default = "15min";
        description = "How often to write them (a systemd time span): each run scans the data root.";
      };

      extraFlags = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Extra flags of the textfile command.";
      };
    };
  };

  config = mkMerge [
    (mkIf cfg.enable {
      systemd.services.prometheus-docker-daemon-exporter = {
        description = "Prometheus exporter for the Docker daemon";
        # ionice, for the data-root walkers' idle I/O class.
        path = [ pkgs.util-linux ];
        wantedBy = [ "multi-user.target" ];
        after = [
          "network.target"
          "docker.service"
        ];
        # The V8 young generation kept small, and glibc's malloc arenas to two: a few MiB less resident memory.
        environment = {
          NODE_OPTIONS = "--max-semi-space-size=2";
          MALLOC_ARENA_MAX = "2";
        };
        serviceConfig = hardening // {
          Type = "simple";
          ExecStart = "${cfg.package}/bin/docker-daemon-exporter --web.listen-address=${address}:${toString cfg.port} ${escapeShellArgs cfg.extraFlags}";
          Restart = "on-failure";
          RestartSec = "5s";
          RestrictAddressFamilies = [
            "AF_UNIX"
            "AF_INET"
            "AF_INET6"
          ];
          UMask = "0077";
        };
      };
      networking.firewall.allowedTCPPorts = optionals cfg.openFirewall [ cfg.port ];
    })

    (mkIf cfg.textfile.enable {
      # The dynamic user writes the file atomically (a temporary file renamed there): through the docker group.
      systemd.tmpfiles.rules = [ "d ${cfg.textfile.directory} 0775 root docker -" ];
      systemd.services.docker-daemon-exporter-textfile = {
        description = "Docker daemon metrics for node_exporter's textfile collector";
        path = [ pkgs.util-linux ];
        after = [ "docker.service" ];
        serviceConfig = hardening // {
          Type = "oneshot";
          ExecStart = "${cfg.package}/bin/docker-daemon-exporter textfile --output ${cfg.textfile.directory}/docker.prom ${escapeShellArgs cfg.textfile.extraFlags}";
          ReadWritePaths = [ cfg.textfile.directory ];
          RestrictAddressFamilies = [ "AF_UNIX" ];
          # The data-root walk yields to the containers' own I/O.
          IOSchedulingClass = "idle";
          Nice = 10;
          UMask = "0022";
        };
      };
      systemd.timers.docker-daemon-exporter-textfile = {
        wantedBy = [ "timers.target" ];
        timerConfig = {
          OnBootSec = "2min";
          OnUnitActiveSec = cfg.textfile.interval;
          RandomizedDelaySec = "1min";
        };
      };
    })
  ];
}
