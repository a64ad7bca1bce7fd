# The ready file for a Flying Circus host: copy it to /etc/local/nixos/docker-daemon-exporter.nix, with this
# project's source at the path imported below (a release tarball or a git clone), then: sudo fc-manage switch.
# Enabling the exporter does not touch Docker: no restart, the containers keep running.
{ ... }:

{
  imports = [ /srv/docker-daemon-exporter/nix/module.nix ];

  services.docker-daemon-exporter = {
    enable = true;
    # Prometheus scrapes port 9326; open it only where the monitoring network reaches it.
    openFirewall = false;
  };
}
