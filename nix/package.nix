# docker-daemon-exporter as a Nix package, built from package-lock.json (every package fetched by its
# "resolved" URL and checked against its "integrity": no hash to keep up to date here).
#   nix-build -E 'with import <nixpkgs> { }; callPackage ./nix/package.nix { }'
# Needs nixpkgs 24.05 or later (importNpmLock).
{
  lib,
  buildNpmPackage,
  importNpmLock,
  nodejs_20,
}:

buildNpmPackage {
  pname = "docker-daemon-exporter";
  version = (lib.importJSON ../package.json).version;

  src = lib.cleanSource ../.;

  npmDeps = importNpmLock { npmRoot = ../.; };
  npmConfigHook = importNpmLock.npmConfigHook;
  nodejs = nodejs_20;

  # As the Dockerfile: no install scripts (ssh2's optional native binding, protobufjs' version notice).
  npmRebuildFlags = [ "--ignore-scripts" ];

  # The alert rules, recording rules, inhibition rules and dashboards, where a NixOS Prometheus and Grafana
  # configuration can point at them.
  postInstall = ''
    mkdir -p $out/share/docker-daemon-exporter
    for dir in alerts dashboards mixin; do
      ln -s $out/lib/node_modules/docker-daemon-exporter/$dir $out/share/docker-daemon-exporter/$dir
    done
  '';

  meta = {
    description = "Prometheus exporter for Docker daemons: storage driver deprecation, devicemapper thin pool, orphaned data-root usage, container network modes";
    homepage = "https://github.com/docker-daemon-exporter/docker-daemon-exporter";
    license = lib.licenses.asl20;
    mainProgram = "docker-daemon-exporter";
    platforms = lib.platforms.linux;
  };
}
