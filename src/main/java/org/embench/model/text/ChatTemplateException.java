package org.embench.model.text;

import org.embench.UserException;

/**
 * A chat template failed: a syntax error, an error while rendering, or the template's own {@code
 * raise_exception(message)} (e.g. "Conversation roles must alternate user/assistant/…"), whose
 * message this carries. Also thrown when {@link ChatTemplate#renderForTraining} cannot find an
 * assistant message in the rendered text.
 */
public class ChatTemplateException extends UserException {
  public ChatTemplateException(String message) {
    super(message);
  }
}
