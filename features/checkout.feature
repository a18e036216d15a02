@mock:base
Feature: Checkout against mocked inventory and payments
  The shop checks stock with "inventory", then charges with "payments" (retrying on 503).
  The feature's @mock:base stubs both services; scenarios, rules and examples refine it.

  Scenario: Everything available: the checkout is paid
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "paid" on attempt 1
    And the charge id is "ch_base"
    And "inventory" should have received 1 GET request to /v1/items/7
    And "payments" should have received 1 POST request to /v1/charges

  @mock:checkout_failure
  Scenario: Payments fail twice, then the retry succeeds
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "paid" on attempt 3
    And the charge id is "ch_retry"
    And "payments" should have received 3 POST requests to /v1/charges
    And request 3 to POST /v1/charges on "payments" should have JSON body:
      """
      {"item": 7, "amount": 100}
      """

  @mock:inventory_empty
  Scenario: A scenario map overrides the feature map for its routes only
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "out_of_stock"
    And "payments" should not have received any POST request to /v1/charges
    And "inventory" should not have received unexpected requests

  @mock:payments_declined:status=409
  Scenario: Map parameters come from the tag
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "payment_declined" on attempt 1

  @mock:payments_declined
  Scenario: A parameter left out takes its default
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "payment_declined"
    And "payments" should have received a POST request to /v1/charges with JSON body:
      """
      {"currency": "EUR"}
      """

  @mock:base:off
  Scenario: Switching the feature's map off leaves the services unstubbed
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "inventory_error"
    And "inventory" should have received 1 GET request to /v1/items/7

  @mockbdd:strict
  Scenario: Strict mode: every stub used and no unexpected request
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "paid"

  @mockbdd:shared
  Scenario: A shared scenario uses the default namespace, reset first
    When the shop checks out item 7 for 100 EUR
    Then the checkout is "paid"
    And "payments" should have received 1 POST request to /v1/charges

  Scenario Outline: Examples tags pick the map per block (<status>)
    When the shop checks out item <item> for 100 EUR
    Then the checkout is "<status>"

    @mock:inventory_empty
    Examples: out of stock
      | item | status       |
      | 3    | out_of_stock |

    @mock:checkout_failure
    Examples: flaky payments
      | item | status |
      | 4    | paid   |

    Examples: the feature's map
      | item | status |
      | 5    | paid   |

  @mock:payments_slow:delay=800ms
  Rule: Slow payments time the shop out (its timeout is 0.5 s)

    Scenario: The rule's map applies to its scenarios
      When the shop checks out item 7 for 100 EUR
      Then the checkout is "payments_timeout"
      And "payments" should have received 1 POST request to /v1/charges

    @mock:payments_slow:delay=10ms
    Scenario: A scenario tag overrides the rule's parameters
      When the shop checks out item 7 for 100 EUR
      Then the checkout is "paid"
      And the charge id is "ch_slow"
