# One image for every service: `ogi service <name>` picks which one a container runs; `python -m shared.streams`
# declares the streams (the compose file's and the Kubernetes Job's one-shot step).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
# Every package pyproject.toml installs (`ogi` imports `bench` for `ogi bench`).
COPY shared ./shared
COPY services ./services
COPY ogi ./ogi
COPY bench ./bench
RUN pip install --no-cache-dir . && useradd --system --uid 10001 ogi
USER ogi
# Every service's HTTP side (probes /livez and /healthz, /metrics; the API of indicators and gateway) listens
# here; docker-compose.yml and the Kubernetes manifests probe it.
ENV OGI_HTTP_HOST=0.0.0.0 OGI_HTTP_PORT=8000
EXPOSE 8000
ENTRYPOINT ["ogi"]
CMD ["service", "indicators"]
