#!/bin/sh
set -eu
echo "$REGISTRY_PASSWORD" | docker login -u ci --password-stdin registry.example.com
docker login -u ci -p hunter2 registry.example.com
docker build -t registry.example.com/org/app:latest .
docker push registry.example.com/org/app:latest
