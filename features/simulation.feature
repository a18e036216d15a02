@mock:base:seed=7
Feature: Latency, errors and dropped connections
  The payment provider is slow and drops one request in ten: the mock misbehaves exactly as
  told, and the same way every run, since the feature's tag seeds every random choice.

  Scenario: A route whose latency follows a distribution keeps its answer
    Given "inventory" responds to GET /v1/items/7 with latency following a lognormal distribution:
      | parameter | value |
      | median    | 60 ms |
      | sigma     | 0.1   |
    When the client sends GET /v1/items/7 to "inventory"
    Then the response status is 200
    And the response body is:
      """
      {"inStock":true,"price":100}
      """
    And the response took at least 30 ms
    And the p50 latency of "inventory" answers should be between 30 ms and 5 s

  Scenario: An error rate fails the same requests on every run
    Given "payments" responds to GET /v1/status with status 200
    And "payments" fails 50% of GET requests to /v1/status with status 503
    When 20 clients send GET /v1/status to "payments" at once
    Then 13 of them get status 503
    And 7 of them get status 200

  Scenario: A drop rate resets connections
    Given "payments" responds to GET /v1/flaky with status 200
    And "payments" drops 100% of GET requests to /v1/flaky
    When the client sends GET /v1/flaky to "payments"
    Then the call failed

  Scenario: Network conditions slow every route of a service
    Given "inventory" responds to GET /v1/ping with status 200
    And "inventory" has these network conditions:
      | parameter | value |
      | latencyMs | 80    |
      | jitterMs  | 10    |
    When 4 clients send GET /v1/ping to "inventory" at once
    Then 4 of them get status 200
    And the p50 latency of "inventory" answers should be between 60 ms and 5 s
