#!/bin/bash
# Generated from: specs/1000/1001/1014.spec.md
# Context: specs/1000/1001/1014.context.md
# Purpose: Network buffer optimization for NFS
# Created: 2025-08-26 by Claude + User
set -euo pipefail

# Larger socket buffers for 10GbE NFS traffic.
sysctl -w net.core.rmem_max=16777216
sysctl -w net.core.wmem_max=16777216
sysctl -w net.ipv4.tcp_rmem="4096 87380 16777216"
sysctl -w net.ipv4.tcp_wmem="4096 65536 16777216"
