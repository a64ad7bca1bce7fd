// docker-daemon-exporter's monitoring mixin (monitoring-mixins conventions).
//
//   local docker = (import 'docker-daemon-exporter/mixin/mixin.libsonnet') + {
//     _config+:: { selector: 'job="docker-hosts"', runbookURLPattern: 'https://wiki.example/docker#%s' },
//   };
//   { 'docker.rules.yml': std.manifestYamlDoc(docker.prometheusAlerts) }
//
// The rules are written once, in mixin/*.ts, with placeholders: {SEL} and {SEL, for the selector,
// (HOST and (AGG for the host and aggregation labels, THRESHOLD(name) for a threshold. templates.json
// and config.json are generated from them (npm run mixin); this file fills the placeholders from
// _config in the same order as mixin/render.ts, and a test keeps both renderings equal. The dashboards
// (built once with Grafana's SDK, dashboards/*.ts) come as templates too, in dashboards.json: their
// placeholders are filled as mixin/dashboards.ts fills them, and their variables follow the host labels.
local templates = import 'templates.json';
local dashboardTemplates = import 'dashboards.json';

local number(v) =
  if std.type(v) != 'number' then v
  else if v == std.floor(v) then std.toString(v)
  else std.format('%g', v);

// Each threshold as it is written into a text, formatted once (std.format is slow in jsonnet).
local thresholdTexts(c) = { [name]: number(c.thresholds[name]) for name in std.objectFields(c.thresholds) };

local applyWith(expr, c, texts) =
  local selected = std.strReplace(
    std.strReplace(expr, '{SEL}', '{' + c.selector + '}'),
    '{SEL,',
    if c.selector == '' then '{' else '{' + c.selector + ','
  );
  local grouped = std.strReplace(
    std.strReplace(selected, '(HOST', '(' + c.hostLabels),
    '(AGG',
    '(' + c.aggregationLabels
  );
  std.foldl(
    function(e, name) std.strReplace(e, 'THRESHOLD(' + name + ')', texts[name]),
    std.objectFields(texts),
    grouped
  );

local apply(expr, c) = applyWith(expr, c, thresholdTexts(c));

local labelsOf(list) = [l for l in [std.stripChars(x, ' ') for x in std.split(list, ',')] if l != ''];

// The labels that get a template variable: the aggregation labels, then the other host labels.
local variableLabels(c) =
  labelsOf(c.aggregationLabels) + [l for l in labelsOf(c.hostLabels) if !std.member(labelsOf(c.aggregationLabels), l)];

local matchers(labels) = std.join(',', [l + '=~"$' + l + '"' for l in labels]);

local hostLegend(c) =
  local own = [l for l in labelsOf(c.hostLabels) if !std.member(labelsOf(c.aggregationLabels), l)];
  std.join('/', ['{{' + l + '}}' for l in (if std.length(own) > 0 then own else labelsOf(c.hostLabels))]);

// A colour step's value that is a threshold of _config as a whole: the name in THRESHOLD(name).
local thresholdName(text, prefix) =
  if std.startsWith(text, prefix) && std.endsWith(text, ')') then text[std.length(prefix):std.length(text) - 1] else null;

// Only these fields carry placeholders (mixin/dashboards.ts FILLED): filling every string would cost
// seconds here.
local filled = { expr: true, legendFormat: true, description: true, uid: true, value: true };

// A dashboard's template with _config applied. What the placeholders become is worked out once, in
// locals (jsonnet evaluates an object's field again at each access, and std.format is slow).
local fillTemplate(template, c) =
  local hostMatchers = matchers(variableLabels(c));
  local aggMatchers = matchers(labelsOf(c.aggregationLabels));
  local legend = hostLegend(c);
  local texts = thresholdTexts(c);
  local hostLabels = labelsOf(c.hostLabels);
  local aggregationLabels = labelsOf(c.aggregationLabels);
  local applyDashboard(text) =
    applyWith(
      std.strReplace(
        std.strReplace(std.strReplace(text, 'HOST_MATCHERS', hostMatchers), 'AGG_MATCHERS', aggMatchers),
        'HOST_LEGEND',
        legend
      ),
      c,
      texts
    );
  local fillString(text) =
    local used = thresholdName(text, '1-THRESHOLD(');
    local plain = thresholdName(text, 'THRESHOLD(');
    if used != null && std.objectHas(c.thresholds, used) then std.parseJson(std.format('%.6f', 1 - c.thresholds[used]))
    else if plain != null && std.objectHas(c.thresholds, plain) then c.thresholds[plain]
    else applyDashboard(text);
  // Column keys standing for a list of labels: one key per label of _config.
  local keysOf(key) =
    if key == 'HOST_LABELS' then hostLabels
    else if key == 'AGG_LABELS' then aggregationLabels
    else [key];
  local fill(v, key) =
    if std.isString(v) then (if std.objectHas(filled, key) then fillString(v) else v)
    else if std.isArray(v) then [fill(x, key) for x in v]
    else if std.isObject(v) then { [k]: fill(v[field], field) for field in std.objectFields(v) for k in keysOf(field) }
    else v;
  fill(template, '');

local datasource = { type: 'prometheus', uid: '${datasource}' };

local templateVariables(c, hosts) =
  local labels = variableLabels(c);
  [{
    type: 'datasource',
    name: 'datasource',
    skipUrlSync: false,
    multi: false,
    allowCustomValue: true,
    includeAll: false,
    auto: false,
    auto_min: '10s',
    auto_count: 30,
    label: 'Data source',
    query: 'prometheus',
    regex: c.datasourceFilterRegex,
    current: { selected: true, text: c.datasourceName, value: c.datasourceName },
  }] + [
    local label = labels[i];
    local selector = std.join(',', [s for s in [c.selector, matchers(labels[0:i])] if s != '']);
    local multi = hosts == 'many' || std.member(labelsOf(c.aggregationLabels), label);
    {
      type: 'query',
      name: label,
      skipUrlSync: false,
      multi: multi,
      allowCustomValue: true,
      includeAll: multi,
      auto: false,
      auto_min: '10s',
      auto_count: 30,
      label: label,
      datasource: datasource,
      query: 'label_values(docker_up' + (if selector == '' then '' else '{' + selector + '}') + ', ' + label + ')',
      refresh: 2,
      sort: 1,
    } + (if multi then { allValue: '.+' } else {})
    for i in std.range(0, std.length(labels) - 1)
  ];

local dashboard(template, c) = fillTemplate(template.dashboard, c) + { templating: { list: templateVariables(c, template.hosts) } };

{
  _config:: import 'config.json',

  prometheusAlerts:: {
    local c = $._config,
    groups: [
      {
        name: g.name,
        rules: [
          {
            alert: r.alert,
            expr: apply(r.expr, c),
            'for': r['for'],
            labels: { severity: if std.objectHas(c.severities, r.alert) then c.severities[r.alert] else r.severity },
            annotations: {
              summary: r.summary,
              description: r.description,
              runbook_url: std.strReplace(c.runbookURLPattern, '%s', r.runbook),
            },
          }
          for r in g.rules
        ],
      }
      for g in templates.alerts
    ],
  },

  prometheusRules:: {
    local c = $._config,
    groups: [
      { name: g.name, rules: [{ record: r.record, expr: apply(r.expr, c) } for r in g.rules] }
      for g in templates.rules
    ],
  },

  // Alertmanager inhibition, one page per cause: for the inhibit_rules of an alertmanager.yml.
  alertmanagerInhibitRules:: [r { equal: labelsOf($._config.hostLabels) } for r in templates.inhibit],

  grafanaDashboards:: {
    [file]: dashboard(dashboardTemplates[file], $._config)
    for file in std.objectFields(dashboardTemplates)
  },
}
