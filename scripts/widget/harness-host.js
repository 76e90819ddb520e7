/*
 * The Kommo host, emulated in the browser for the widget dev harness (scripts/widget/harness.ts).
 * Loads the built script.js with RequireJS the way Kommo does, mixes it into a system Widget object,
 * and calls the callbacks of the page's area. Plain ES5 on purpose: it plays the host, not our code.
 */
(function () {
  'use strict';
  var cfg = window.HARNESS;
  var errors = [];
  window.__harness = { ready: false, errors: errors, widget: null, calls: [] };
  window.addEventListener('error', function (e) {
    errors.push(String((e.error && e.error.stack) || e.message));
  });
  window.addEventListener('unhandledrejection', function (e) {
    errors.push('unhandled rejection: ' + String(e.reason && (e.reason.stack || e.reason.message || e.reason)));
  });
  requirejs.onError = function (err) {
    errors.push('requirejs: ' + String(err && err.message));
  };

  // The globals Kommo pages carry. The widget must only read them.
  var leadAttrs = cfg.lead ? { id: cfg.lead, name: 'Lead #' + cfg.lead, price: 1500, status_id: cfg.statusId, pipeline_id: cfg.pipelineId } : null;
  window.APP = {
    data: {
      current_card: leadAttrs
        ? {
            id: cfg.lead,
            model: {
              get: function (key) {
                return leadAttrs[key];
              },
              attributes: leadAttrs,
            },
          }
        : undefined,
      current_entity: leadAttrs ? 'leads' : undefined,
    },
    constant: function (name) {
      if (name === 'user') return { id: cfg.userId, name: 'Dev Admin', login: 'admin@example.com', language: cfg.lang };
      if (name === 'account') return { id: cfg.accountId, subdomain: cfg.subdomain };
      if (name === 'lang') return cfg.lang;
      return undefined;
    },
    isCard: function () {
      return !!leadAttrs;
    },
  };
  window.AMOCRM = window.APP;

  requirejs.config({ urlArgs: 'v=' + cfg.buildStamp });

  require(['jquery'], function ($) {
    $.ajax({ url: '/widget/i18n/' + cfg.lang + '.json', dataType: 'json' }).then(function (langs) {
      var system = {
        params: { widget_code: cfg.widgetCode, path: '/widget', version: cfg.version, images_path: '/widget/images', oauth_client_uuid: cfg.clientId },
        langs: langs,
        i18n: function (key) {
          return langs[key];
        },
        system: function () {
          return { area: cfg.area, amouser_id: cfg.userId, amouser: 'admin@example.com', subdomain: cfg.subdomain, domain: cfg.subdomain + '.kommo.com' };
        },
        get_settings: function () {
          return $.extend({}, this.params, cfg.settings);
        },
        get_version: function () {
          return cfg.version;
        },
        set_status: function () {},
        render_template: function (options) {
          var block = $(
            '<div class="card-widgets__widget card-widgets__widget-' + cfg.widgetCode + '">' +
              '<div class="card-widgets__widget__caption"></div>' +
              '<div class="card-widgets__widget__body"></div>' +
            '</div>'
          );
          block.find('.card-widgets__widget__caption').text(langs.widget && langs.widget.name ? langs.widget.name : cfg.widgetCode);
          block.find('.card-widgets__widget__body').html((options.body || '') + (options.render || ''));
          $('#card-widgets').append(block);
          return block;
        },
        // Kommo fetches a one-time token for the integration, then makes the call with X-Auth-Token.
        $authorizedAjax: function (options) {
          var done = $.Deferred();
          window.__harness.calls.push({ type: options.type, url: options.url });
          $.ajax({ url: '/__harness/token', type: 'POST', dataType: 'json' }).then(function (r) {
            var headers = $.extend({}, options.headers, { 'X-Auth-Token': r.token });
            $.ajax($.extend({}, options, { headers: headers })).then(done.resolve, done.reject);
          }, done.reject);
          return done.promise();
        },
      };

      require(['/widget/script.js'], function (Widget) {
        Widget.prototype = system;
        var widget = new Widget();
        window.__harness.widget = widget;
        var cb = widget.callbacks;
        var ok = cb.render() === true && cb.init() === true && cb.bind_actions() === true;
        if (!ok) errors.push('render, init and bind_actions must return true');
        if (cfg.area === 'advanced_settings') cb.advancedSettings();
        if (cfg.area === 'settings') cb.settings($('#modal-body'));
        if (cfg.area === 'digital_pipeline') cb.dpSettings();
        if (cfg.area === 'salesbot') {
          var out = cb.onSalesbotDesignerSave('handler_code', { agent_id: '', message: '{{message_text}}' });
          $('#salesbot-out').text(JSON.stringify(JSON.parse(out), null, 2));
        }
        $('#harness-save').on('click', function () {
          window.__harness.saved = cb.onSave();
        });
        window.__harness.ready = true;
      });
    }, function () {
      errors.push('could not load i18n/' + cfg.lang + '.json');
    });
  });
})();
