"""Running Fazhan in production: secrets, the server, backups, anchors, health and logs (README
"Deploying on one intranet server")."""
