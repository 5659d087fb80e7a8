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
 *  - addresses in the bot's messages: the widget renders whatever the server sends (a video's
 *    `src` in an <iframe>, an image's, a carousel's links, Markdown links) without checking
 *    the scheme, so a hostile server could send `javascript:` or `data:` ones. Two layers:
 *    each bot message is cleaned before the widget sees it (WebChat.default is wrapped to add
 *    an `onSocketEvent.bot_uttered` listener, which rasa-webchat calls before its own, with
 *    the same object), and every URL attribute in the messages is checked again on the DOM.
 *    Kept: https, this page's own origin, and mailto/tel for links. The bot's `metadata` is
 *    dropped: this bot sends none, and rasa-webchat would let it restyle the host page
 *    (domHighlight, customCss) or attach handlers to it (pageEventCallbacks);
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
  // Attributes that load or open an address; those never needed by the widget go whole.
  var URL_ATTRIBUTES = ["href", "src", "poster", "data", "action", "formaction", "xlink:href", "background"];
  var DROPPED_ATTRIBUTES = ["srcset", "srcdoc"];
  var LINK_SCHEMES = ["https:", "mailto:", "tel:"];
  // Message fields holding an address (attachment src, image_url, buttons' url…), and links.
  var URL_FIELD = /(^|_)(src|url|href|image|video|poster|link)$/i;
  var LINK_FIELD = /(^|_)(url|href|link)$/i;

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

  /* An address the widget may load (images, videos) or, with isLink, open. */
  function isSafeUrl(value, isLink) {
    var url;
    try {
      url = new URL(String(value).trim(), document.baseURI);
    } catch (invalid) {
      return false;
    }
    if (url.protocol === "https:" || (isLink && LINK_SCHEMES.indexOf(url.protocol) >= 0)) return true;
    // Same origin (the local demo page is http): never "null", the origin of data: and file:.
    return url.origin !== "null" && url.origin === window.location.origin;
  }

  /* Blanks, in place, every address field of a bot message that is not safe. */
  function cleanFields(value) {
    if (!value || typeof value !== "object") return;
    Object.keys(value).forEach(function (key) {
      var field = value[key];
      if (typeof field === "string" && URL_FIELD.test(key) && !isSafeUrl(field, LINK_FIELD.test(key))) {
        value[key] = "";
      } else {
        cleanFields(field);
      }
    });
  }

  function cleanBotMessage(message) {
    if (!message || typeof message !== "object") return;
    delete message.metadata;
    cleanFields(message);
  }

  /* WebChat.default with a first bot_uttered listener that cleans each message. */
  function wrapWebChat() {
    var original = window.WebChat;
    if (!original || typeof original.default !== "function") return;
    var wrapped = {};
    Object.keys(original).forEach(function (key) {
      wrapped[key] = original[key];
    });
    wrapped.default = function (options) {
      var settings = Object.assign({}, options);
      var events = Object.assign({}, settings.onSocketEvent);
      var own = events.bot_uttered;
      events.bot_uttered = function (message) {
        cleanBotMessage(message);
        if (own) return own.apply(this, arguments);
      };
      settings.onSocketEvent = events;
      var rest = Array.prototype.slice.call(arguments, 1);
      return original.default.apply(this, [settings].concat(rest));
    };
    // The bundle's exports are read-only getters: the global is replaced instead.
    window.WebChat = wrapped;
  }

  /* The DOM layer: URL attributes of the messages, checked whatever rendered them. */
  function cleanUrls(element) {
    var isLink = element.tagName === "A" || element.tagName === "AREA";
    DROPPED_ATTRIBUTES.forEach(function (name) {
      if (element.hasAttribute(name)) element.removeAttribute(name);
    });
    URL_ATTRIBUTES.forEach(function (name) {
      var value = element.getAttribute(name);
      if (value !== null && !isSafeUrl(value, isLink && name === "href")) element.removeAttribute(name);
    });
  }

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
    each(document, ".rw-messages-container *", cleanUrls);
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
    new MutationObserver(enhance).observe(document.body, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: URL_ATTRIBUTES.concat(DROPPED_ATTRIBUTES)
    });
  }

  wrapWebChat();

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
