package org.embench.judge;

/**
 * Fills a judge prompt template. The template is scanned once and {@code {question}} and {@code
 * {answer}} are replaced as they are met, so text inserted for one placeholder is never scanned
 * again: an answer containing "{question}" or braces stays exactly as written. Any other brace in
 * the template is kept literally.
 */
public final class PromptFiller {
  private PromptFiller() {}

  public static String fill(String template, String question, String answer) {
    StringBuilder sb = new StringBuilder(template.length() + question.length() + answer.length());
    int i = 0;
    while (i < template.length()) {
      if (template.startsWith("{question}", i)) {
        sb.append(question);
        i += "{question}".length();
      } else if (template.startsWith("{answer}", i)) {
        sb.append(answer);
        i += "{answer}".length();
      } else {
        sb.append(template.charAt(i++));
      }
    }
    return sb.toString();
  }
}
