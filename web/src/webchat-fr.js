/* French labels and keyboard access for rasa-webchat 1.0.1 (appended to the bundle by build.mjs).
 *
 * The widget's own texts (title, subtitle, placeholder, connecting text) are options of
 * WebChat.default(). What it leaves in English or out of reach of the keyboard is fixed here,
 * on the rendered DOM, without touching the widget's code:
 *  - quick replies are <div>s with a click handler only: they get role="button", tabindex="0"
 *    and answer Enter and Space;
 *  - the launcher, close and send buttons get French names ("close"/"send" image texts go);
 *  - the message list is announced as a live log, the typing indicator says
 *    "L'assistant écrit…" (visible, and read by screen readers);
 *  - links in the bot's messages keep only http(s), mailto and tel addresses (the widget
 *    renders Markdown links without checking their scheme);
 *  - visible focus, a 16 px input (no zoom on phones) and underlined links.
 */
(function () {
  "use strict";

  var LABELS = {
    open: "Ouvrir l'assistant PTCE",
    close: "Fermer l'assistant PTCE",
    send: "Envoyer",
    input: "Votre message",
    log: "Conversation avec l'assistant",
    typing: "L'assistant écrit…"
  };
  var SAFE_LINK = /^(https?:|mailto:|tel:)/i;

  var css = [
    ".rw-widget-container .rw-reply:not(a){cursor:pointer}",
    ".rw-widget-container .rw-reply:focus-visible,.rw-launcher:focus-visible,",
    ".rw-close-button:focus-visible,.rw-send:focus-visible,.rw-message-text a:focus-visible",
    "{outline:3px solid #f2a900;outline-offset:2px}",
    ".rw-widget-container .rw-new-message{font-size:16px}",
    ".rw-widget-container .rw-new-message:focus-visible{outline:2px solid #f2a900;outline-offset:-2px}",
    ".rw-widget-container .rw-message-text a{text-decoration:underline;word-break:break-word}",
    ".rw-typing-indication .rw-response{display:flex;align-items:center;gap:8px;height:auto!important}",
    ".rw-typing-indication .rw-response::after{content:\"" + LABELS.typing + "\";font-size:13px;color:#4a5563}"
  ].join("");

  function setAttr(element, name, value) {
    if (element.getAttribute(name) !== value) element.setAttribute(name, value);
  }

  function each(root, selector, action) {
    var found = root.querySelectorAll(selector);
    for (var i = 0; i < found.length; i += 1) action(found[i]);
  }

  function enhance() {
    each(document, ".rw-widget-container", function (widget) {
      setAttr(widget, "lang", "fr");
    });
    each(document, ".rw-launcher", function (launcher) {
      var isOpen = !!launcher.querySelector(".rw-close-launcher");
      setAttr(launcher, "aria-label", isOpen ? LABELS.close : LABELS.open);
      setAttr(launcher, "aria-expanded", isOpen ? "true" : "false");
    });
    each(document, ".rw-close-button", function (button) {
      setAttr(button, "aria-label", LABELS.close);
    });
    each(document, ".rw-send", function (button) {
      setAttr(button, "aria-label", LABELS.send);
    });
    each(document, ".rw-widget-container img", function (image) {
      // Icons inside named buttons: decorative.
      if (image.closest("button")) setAttr(image, "alt", "");
    });
    each(document, ".rw-new-message", function (input) {
      setAttr(input, "aria-label", LABELS.input);
    });
    each(document, ".rw-messages-container", function (log) {
      setAttr(log, "role", "log");
      setAttr(log, "aria-live", "polite");
      setAttr(log, "aria-label", LABELS.log);
    });
    each(document, ".rw-typing-indication", function (indicator) {
      setAttr(indicator, "role", "status");
    });
    each(document, ".rw-reply:not(a)", function (reply) {
      setAttr(reply, "role", "button");
      setAttr(reply, "tabindex", "0");
    });
    each(document, ".rw-messages-container a[href]", function (link) {
      if (!SAFE_LINK.test(link.getAttribute("href").trim())) link.removeAttribute("href");
    });
  }

  function onKeydown(event) {
    var target = event.target;
    if (!target || !target.matches || !target.matches(".rw-reply:not(a)")) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      target.click();
    }
  }

  function start() {
    var style = document.createElement("style");
    style.setAttribute("data-origin", "webchat-fr");
    style.textContent = css;
    document.head.appendChild(style);
    document.addEventListener("keydown", onKeydown);
    enhance();
    new MutationObserver(enhance).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
