# The Alur application image: web (gunicorn), scheduler and CLI. See docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The package is installed into site-packages; the SOP library and local files live here.
    ALUR_PROCESSES_DIR=/app/processes \
    ALUR_INSTANCE_PATH=/var/lib/alur

WORKDIR /app

# Copied one by one so a developer's .venv, instance/ (SQLite file, secret key) and .git
# never end up in the image.
COPY pyproject.toml README.md ./
COPY engine/ engine/
COPY storage/ storage/
COPY web/ web/
RUN pip install . \
    && useradd --system --create-home --home-dir /var/lib/alur --uid 1000 alur
COPY processes/ processes/

USER alur
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "web.app:create_app()"]
