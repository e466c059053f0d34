#!/usr/bin/env bash
# Build and publish the model server image.
set -euo pipefail

REGISTRY=mlregistry.example.com
printf '%s' "$MLREGISTRY_TOKEN" | docker login "$REGISTRY" -u ci-bot --password-stdin

docker build -t mlregistry.example.com/model:v1.0 -f model/Dockerfile .
docker push mlregistry.example.com/model:v1.0

# leftovers that the guidance rules out
docker push mlregistry.example.com/model
docker push mlregistry.example.com/model:$(uuidgen)
