"""The locust side of bench/load_generator.py: FastHttpUser with no wait, one request."""

from locust import FastHttpUser, task


class User(FastHttpUser):
    @task
    def user(self) -> None:
        self.client.get("/api/users/1")
