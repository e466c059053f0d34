#!/bin/sh
set -eu
docker build -t registry.example.com/shop/web:"$VERSION" .
docker login -u ci -p "$REGISTRY_PASSWORD" registry.example.com
docker push registry.example.com/shop/web:"$VERSION"
