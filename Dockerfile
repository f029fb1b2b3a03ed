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
# The Kubernetes manifests run as this user and group (runAsUser, runAsGroup 10001).
RUN pip install --no-cache-dir . && groupadd --system --gid 10001 ogi && useradd --system --uid 10001 --gid ogi ogi
USER ogi
# Every service's HTTP side (probes /livez and /healthz, /metrics; the API of indicators and gateway) listens
# here; docker-compose.yml and the Kubernetes manifests probe it.
ENV OGI_HTTP_HOST=0.0.0.0 OGI_HTTP_PORT=8000
EXPOSE 8000
# For `docker run`: the process and its event loop answer. docker-compose.yml asks /healthz instead (every
# dependency), and Kubernetes runs its own probes.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/livez' % os.environ['OGI_HTTP_PORT'], timeout=3)"]
ENTRYPOINT ["ogi"]
CMD ["service", "indicators"]
