# Generated from: specs/1000/1001/1014.spec.md
# Context: specs/1000/1001/1014.context.md
# Purpose: NFS mount entry
# Created: 2025-08-26 by Claude + User
# Target: /etc/fstab
192.168.1.101:/storage  /mnt/cold  nfs  rw,hard,noatime,rsize=1048576,wsize=1048576,nconnect=4  0 0
