@mock:base
Feature: The mockbdd step library
  Every phrase of mockbdd's vocabulary, driven by the shop and by plain HTTP calls. Step stubs
  outrank the feature's @mock:base stubs of the same route.

  Scenario: Status, body, JSON body and headers
    Given "inventory" responds to GET /v1/ping with status 204
    And "inventory" responds to GET /v1/motd with status 200 and body:
      """
      Hello, shoppers
      """
    And "inventory" responds to GET /v1/items/7 with status 200 and JSON body:
      """
      {"inStock": true, "price": 250}
      """
    When "payments" responds to GET /v1/health with status 200 and headers:
      | name     | value |
      | X-Health | green |
    And the client sends GET /v1/ping to "inventory"
    Then the response status is 204
    When the client sends GET /v1/motd to "inventory"
    Then the response body is:
      """
      Hello, shoppers
      """
    When the shop looks up item 7
    Then the item costs 250
    When the client sends GET /v1/health to "payments"
    Then the response header "X-Health" is "green"

  Scenario: Responses in order, the last one repeating
    Given "payments" responds to POST /v1/charges with these responses in order:
      | status | body             | delay |
      | 503    |                  |       |
      | 201    | {"id": "ch_seq"} | 10ms  |
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "paid" on attempt 2
    And the charge id is "ch_seq"
    When the shop checks out item 8 for 100 EUR
    Then the checkout is "paid" on attempt 1
    And "payments" should have received 3 POST requests to /v1/charges

  Scenario: A status a number of times, then another
    Given "payments" responds to POST /v1/charges with status 503 2 times, then with status 201
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "paid" on attempt 3

  Scenario: Delaying a stubbed route and an unstubbed one
    Given "payments" responds to POST /v1/charges after 800 ms
    And "inventory" responds to GET /v1/slow after 150 ms
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "payments_timeout"
    When the client sends GET /v1/slow to "inventory"
    Then the response status is 200
    And the response took at least 150 ms

  Scenario: Timeouts, dropped connections and malformed responses
    Given "payments" times out on POST /v1/charges
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "payments_timeout"
    Given "payments" drops the connection on POST /v1/charges
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "payments_error"
    Given "payments" sends a malformed response to POST /v1/charges
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "payments_error"
    And "payments" should have received 3 POST requests to /v1/charges

  Scenario: A service that is down answers 503 everywhere
    Given "payments" is unavailable
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "payments_unavailable" on attempt 3
    When the client sends GET /v1/anything/at/all to "payments"
    Then the response status is 503

  Scenario: Answers that depend on the request
    Given "inventory" responds to GET /v1/items with status 200 only when the request matches:
      | field            | value    |
      | query.q          | lamp     |
      | header.X-Api-Key | shop-key |
    And "payments" responds to POST /v1/charges with status 402 only when the request matches:
      | field           | value |
      | json.$.currency | USD   |
    When the shop searches for "lamp"
    Then "inventory" should have received a GET request to /v1/items with query parameter "q" equal to "lamp"
    When the client sends GET /v1/items?q=chair to "inventory"
    Then the response status is 404
    When the shop checks out item 7 for 100 USD
    Then the checkout is "payment_declined"
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "paid"

  Scenario: Unmatched requests get a chosen status
    Given unmatched requests to "inventory" get status 418
    When the client sends GET /v1/nothing/here to "inventory"
    Then the response status is 418
    When the shop looks up item 7
    Then "inventory" should have received 1 GET request to /v1/items/7

  Scenario: Switching a service to another map mid-scenario
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "paid"
    When "payments" switches to the "payments_declined" mock
    And the shop checks out item 7 for 100 EUR
    Then the checkout is "payment_declined"
    When "payments" switches to the "payments_declined:status=409" mock
    And the shop checks out item 7 for 100 EUR
    Then the checkout is "payment_declined"
    And "payments" should have received 3 POST requests to /v1/charges
    And "inventory" should have received 3 GET requests to /v1/items/7

  Scenario: Clearing one service's journal
    When the shop checks out item 7 for 100 EUR
    And the requests recorded by "payments" are cleared
    Then "payments" should have received 0 POST requests to /v1/charges
    And "inventory" should have received 1 GET request to /v1/items/7

  Scenario: Waiting for requests made in the background
    When the shop checks out item 7 for 100 EUR in the background
    And "payments" has received 1 POST requests to /v1/charges within 2 s
    Then "payments" should have received 1 POST request to /v1/charges

  Scenario: What the shop sent
    When the shop checks out item 7 for 100 EUR
    And the shop leaves the note:
      """
      Deliver to the back door.
      Ring twice.
      """
    And the shop refunds charge "ch_base"
    Then "payments" should have received a POST request to /v1/charges with JSON body:
      """
      {"item": 7, "amount": 100, "currency": "EUR"}
      """
    And "inventory" should have received a POST request to /v1/notes with body:
      """
      Deliver to the back door.
      Ring twice.
      """
    And "payments" should have received a POST request to /v1/charges with header "X-Api-Key" equal to "shop-key"
    And "payments" should have received a POST request to /v1/charges without header "Authorization"
    And "payments" should have received these requests in order:
      | method | path                         |
      | POST   | /v1/charges                  |
      | POST   | /v1/charges/ch_base/refund   |
    And request 1 to POST /v1/charges on "payments" should have JSON body:
      """
      {"amount": 100}
      """
    And "payments" should not have received any GET request to /v1/charges

  Scenario: The payment provider calls back after answering
    Given "shop_hooks" responds to POST /hooks/payments with status 204
    And "payments" responds to POST /v1/charges with status 202
    And after answering, "payments" calls back "shop_hooks" /hooks/payments with:
      """
      {"charge": "ch_base", "status": "succeeded"}
      """
    When the client sends POST /v1/charges to "payments"
    Then "payments" should have called back "shop_hooks" /hooks/payments
    And "shop_hooks" should have received a POST request to /hooks/payments with JSON body:
      """
      {"status": "succeeded"}
      """

  Scenario: A WebSocket endpoint greets and answers
    Given "inventory" sends on connect to /v1/live:
      """
      stock feed open
      """
    And when "inventory" receives a message containing "ping" on /v1/live, it replies:
      """
      pong
      """
    When the client says "ping 1" over the WebSocket /v1/live of "inventory"
    Then the client hears "stock feed open"
    And the client hears "pong"
    And "inventory" should have received a message containing "ping" on /v1/live

  Scenario: A WebSocket endpoint answers a pattern with a template
    Given when "inventory" receives a message matching "sub:[a-z]+" on /v1/live, it replies:
      """
      subscribed to {{message.body}}
      """
    And "inventory" delays its WebSocket messages on /v1/live by 50 ms
    When the client says "sub:stock" over the WebSocket /v1/live of "inventory"
    Then the client hears "subscribed to sub:stock"
    And "inventory" should have received 1 message containing "sub:" on /v1/live
    And "inventory" should have received 0 messages containing "ping" on /v1/live
    And "inventory" should have sent a message containing "subscribed" on /v1/live

  Scenario: Nothing unexpected, nothing unused
    When the shop checks out item 7 for 100 EUR
    Then "payments" should not have received unexpected requests
    And every response stubbed on "payments" should have been used
    And every response stubbed on "inventory" should have been used
