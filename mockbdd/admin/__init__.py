"""The admin API as one route table of small tasks, shared by the server and the client."""
