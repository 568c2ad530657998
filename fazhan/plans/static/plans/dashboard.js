/* Plan dashboards: three ECharts charts drawn from json_script data (all assets local). */
(function () {
  "use strict";
  var GREEN = "#1a7f37", RED = "#cf222e", AMBER = "#9a6700", GREY = "#8c959f", INK = "#1f2328",
      BLUE = "#0b57d0";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // The colour of a bar is the row's status in the indicator table (board.structure_chart): the
  // same comparison (counts now and at the forecast's low end), never the percentage alone.
  var STATUS = { met: GREEN, at_risk: AMBER, unmet: RED };

  function structure(el, d) {
    var rows = d.rows;
    // On a phone the axis names only the target's number (A1, E2 …): the table below names it.
    var narrow = el.clientWidth < 600;
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
      // Each category carries its status under its name: 达标 / 有风险 / 未达标.
      legend: { top: 0, data: [d.labels.now, d.labels.low, d.labels.required] },
      grid: { left: 44, right: 12, top: narrow ? 70 : 34, bottom: 56 },
      xAxis: { type: "category",
               data: rows.map(function (r) {
                 var name = narrow ? r.label.split(" ")[0] : r.label;
                 return r.status_label && !narrow ? name + "\n" + r.status_label : name;
               }),
               axisLabel: { interval: 0, fontSize: narrow ? 10 : 12 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: d.labels.now, type: "bar", barGap: "10%", itemStyle: { color: GREEN },
          data: rows.map(function (r) {
            return { value: r.now, itemStyle: { color: STATUS[r.status] || BLUE } };
          }),
          label: { show: true, position: "top", fontSize: 10, formatter: "{c}" } },
        { name: d.labels.low, type: "bar", itemStyle: { color: GREY },
          data: rows.map(function (r) { return r.low; }) },
        { name: d.labels.required, type: "line", symbol: "rect", symbolSize: [34, 4],
          lineStyle: { width: 0 }, itemStyle: { color: INK }, z: 10,
          data: rows.map(function (r) { return r.required; }) }
      ]
    });
    return chart;
  }

  function monthly(el, d) {
    var chart = echarts.init(el);
    var base = [], span = [];
    for (var i = 0; i < 12; i++) { base.push(i === 11 ? d.low : null); span.push(i === 11 ? d.high - d.low : null); }
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [d.labels.actual, d.labels.plan, d.labels.range] },
      grid: { left: 44, right: 12, top: 34, bottom: 30 },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value" },
      series: [
        { name: d.labels.range + "_base", type: "bar", stack: "range", data: base,
          itemStyle: { color: "transparent" }, tooltip: { show: false }, barWidth: 14 },
        { name: d.labels.range, type: "bar", stack: "range", data: span, barWidth: 14,
          itemStyle: { color: "rgba(154,103,0,.45)" } },
        { name: d.labels.plan, type: "line", data: d.plan, symbol: "none",
          lineStyle: { type: "dashed", color: INK } },
        { name: d.labels.actual, type: "line", data: d.actual, itemStyle: { color: BLUE },
          lineStyle: { width: 3 }, label: { show: true, position: "top", fontSize: 10 } }
      ]
    });
    return chart;
  }

  function pool(el, d) {
    var chart = echarts.init(el);
    var activists = { name: d.labels.activists, type: "bar", data: d.activists,
                      itemStyle: { color: BLUE }, label: { show: true, position: "top" } };
    if (d.floor !== null) {
      activists.markLine = { symbol: "none", lineStyle: { color: RED, type: "dashed" },
                             label: { formatter: d.labels.floor + "\n{c}", position: "end" },
                             data: [{ yAxis: d.floor }] };
    }
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [d.labels.activists, d.labels.needed] },
      grid: { left: 50, right: d.floor !== null ? 84 : 12, top: 34, bottom: 30 },
      xAxis: { type: "category", data: d.categories },
      yAxis: { type: "value" },
      series: [activists,
               { name: d.labels.needed, type: "bar", data: d.needed, itemStyle: { color: AMBER } }]
    });
    return chart;
  }

  function draw() {
    if (typeof echarts === "undefined") return;
    var charts = [];
    var s = data("structure-data"), m = data("monthly-data"), p = data("pool-data");
    var el;
    if (s && (el = document.getElementById("chart-structure"))) charts.push(structure(el, s));
    if (m && (el = document.getElementById("chart-monthly"))) charts.push(monthly(el, m));
    if (p && (el = document.getElementById("chart-pool"))) charts.push(pool(el, p));
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
