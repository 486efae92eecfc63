#!/bin/sh
# Installs what pathsim's build and tests need on a Debian machine, when missing:
# libpcap-dev (pcap I/O), and iptables, ipset, nftables, iproute2, conntrack for the
# kernel-differential tests, tcpdump for their captures, chromium-headless-shell for the path
# diagram's browser test, libxml2-utils (xmllint) for the JUnit report's schema check.
# Safe to run again; does nothing when all are present.
set -e
need=""
dpkg -s libpcap-dev >/dev/null 2>&1 || need="$need libpcap-dev"
command -v iptables-nft-restore >/dev/null 2>&1 || need="$need iptables"
command -v ipset >/dev/null 2>&1 || need="$need ipset"
command -v nft >/dev/null 2>&1 || need="$need nftables"
command -v ip >/dev/null 2>&1 || need="$need iproute2"
command -v conntrack >/dev/null 2>&1 || need="$need conntrack"
command -v tcpdump >/dev/null 2>&1 || need="$need tcpdump"
command -v xmllint >/dev/null 2>&1 || need="$need libxml2-utils"
{ command -v chromium-headless-shell || command -v chromium; } >/dev/null 2>&1 || need="$need chromium-headless-shell"
[ -z "$need" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
echo "setup-machine: installing$need" >&2
$SUDO apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
