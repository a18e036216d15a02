Feature: the customer's wishlist, kept by the inventory service

  The inventory service keeps wishlists as a json-server style collection, so the shop's
  create, list and delete calls go to a mock that remembers what they did.

  Scenario: a wish is added to the ones already there
    Given "inventory" serves a "wishlist" collection at /v1/wishlist with:
      | id | item | note     |
      | 1  | 3    | birthday |
    When the customer wishes for item 7
    Then the "wishlist" collection should contain:
      | item | note     |
      | 3    | birthday |
      | 7    |          |
    And the "wishlist" collection should have 2 items
    And "inventory" should have received 1 POST request to /v1/wishlist

  Scenario: a wish is taken back
    Given "inventory" serves an empty "wishlist" collection at /v1/wishlist
    When the customer wishes for item 7
    And the customer no longer wishes for item 7
    Then the "wishlist" collection should not contain an item whose "item" is "7"
    When the customer wishes for item 9
    Then the "wishlist" collection should have 1 item

  @mock:wishlist_seeded
  Scenario: a tag map seeds the collection
    When the customer no longer wishes for item 4
    Then the "wishlist" collection should contain:
      | id | item |
      | 2  | 5    |
    And the "wishlist" collection should have 1 item
