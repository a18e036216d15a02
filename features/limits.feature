@mock:base
Feature: Rate and concurrency limits
  A provider's gateway refuses what is over its limits, exactly, however many clients come at
  once: 429 past a rate limit, 503 past a concurrency limit and its queue.

  Scenario: A route lets so many requests through per period
    Given "inventory" responds to GET /v1/stock with status 200
    And "inventory" allows 3 GET requests to /v1/stock per 60 s
    When 10 clients send GET /v1/stock to "inventory" at once
    Then 3 of them get status 200
    And "inventory" should have answered 7 requests with status 429
    When the client sends GET /v1/stock to "inventory"
    Then the response status is 429
    And the response header "X-RateLimit-Remaining" is "0"

  Scenario: The routes of a service share one budget
    Given "inventory" responds to GET /v1/a with status 200
    And "inventory" responds to GET /v1/b with status 200
    And "inventory" allows 2 requests per 60 s
    When the client sends GET /v1/a to "inventory"
    And the client sends GET /v1/b to "inventory"
    And the client sends GET /v1/a to "inventory"
    Then the response status is 429
    And "inventory" should have answered 1 request with status 429

  # 1 s answers: every client arrives before the first answers free their slots, also on a
  # loaded machine (300 ms let a late client take a freed slot under four parallel runs)
  Scenario: A route answers so many at once and queues a few
    Given "payments" responds to GET /v1/slow after 1000 ms
    And "payments" answers at most 2 GET requests to /v1/slow at once, queueing 3 for up to 5 s
    When 10 clients send GET /v1/slow to "payments" at once
    Then 5 of them get status 200
    And 5 of them get status 503

  Scenario: The routes of a service share their slots
    Given "payments" responds to GET /v1/slow after 1000 ms
    And "payments" responds to GET /v1/other after 1000 ms
    And "payments" answers at most 2 requests at once, queueing 0 for up to 1 s
    When 6 clients send GET /v1/slow to "payments" at once
    Then 2 of them get status 200
    And "payments" should have answered 4 requests with status 503
