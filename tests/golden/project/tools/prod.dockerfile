ARG TAG
FROM registry.example.com/ml/trainer:${TAG}
FROM node:lts-alpine
FROM python:3.12.7-slim-bookworm
