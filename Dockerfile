FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY farmwatch ./farmwatch
COPY service ./service
COPY workers ./workers
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["farmwatch", "serve", "--host", "0.0.0.0"]
