"""The Flask app, REST API, CLI and scheduler; ``web.usecases`` holds the verbs they share."""
