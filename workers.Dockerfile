# The Python workers and the riec command line (also used to deploy the models).
FROM python:3.11-slim
RUN useradd --system --uid 10001 riec
WORKDIR /app
COPY pyproject.toml README.md ./
COPY workers ./workers
RUN pip install --no-cache-dir .
COPY bpmn ./bpmn
COPY forms ./forms
USER riec
ENV RIEC_HOME=/app RIEC_DATA_DIR=/tmp/riec
ENTRYPOINT ["riec"]
CMD ["worker"]
