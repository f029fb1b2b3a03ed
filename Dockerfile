# One image for every service: `ogi service <name>` picks which one a container runs.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared ./shared
COPY services ./services
COPY ogi ./ogi
RUN pip install --no-cache-dir . && useradd --system --uid 10001 ogi
USER ogi
ENTRYPOINT ["ogi"]
CMD ["service", "indicators"]
