FROM python:3.12
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
HEALTHCHECK CMD ["python", "-m", "app.health"]
CMD ["python", "-m", "app"]
