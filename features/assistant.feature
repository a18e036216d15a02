Feature: the shop's support assistant, on a mocked LLM

  The assistant talks to an OpenAI-compatible chat service, "assistant". The scenarios script
  its answers, so they never spend tokens or depend on a model's mood.

  Scenario: an answer about a topic, and a general one
    Given "assistant" answers chat completions about "delivery" with:
      """
      Orders ship within two days.
      """
    And "assistant" answers chat completions with:
      """
      I can help with orders and delivery.
      """
    When a customer asks the assistant "When is my delivery?"
    Then the assistant says "Orders ship within two days."
    When a customer asks the assistant "Do you sell hats?"
    Then the assistant says "I can help with orders and delivery."
    And "assistant" should have been asked a chat completion whose last message contains "hats"
    And "assistant" should have been offered the tool "look_up_item"

  Scenario: the model calls a tool
    Given "assistant" answers chat completions by calling the tool "look_up_item" with:
      """
      {"item": 7}
      """
    When a customer asks the assistant "How much is item 7?"
    Then the assistant looks up item 7

  Scenario: the same assistant on Anthropic's Messages API
    Given "assistant" answers Anthropic messages about "delivery" with:
      """
      Two days, give or take.
      """
    And "assistant" answers Anthropic messages with:
      """
      Orders and delivery only, sorry.
      """
    When a customer asks Claude "When is my delivery?"
    Then the assistant says "Two days, give or take."
    When a customer asks Claude "Do you sell hats?"
    Then the assistant says "Orders and delivery only, sorry."
