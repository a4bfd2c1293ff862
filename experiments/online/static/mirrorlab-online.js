/*
 * mirrorlab online session: the server's session description (experiments/online/timeline.py)
 * as a jsPsych 8 timeline. Screens use jsPsych's html-keyboard-response plugin; trials use the
 * MirrorlabTrialPlugin below, which draws each component of a trial at its time on the
 * target axis, stamps onsets with performance.now() in the requestAnimationFrame callback
 * after the frame that drew it, times the key from KeyboardEvent.timeStamp (same clock), and
 * POSTs the trial in the inter-trial interval. The next trial starts only after the server
 * has answered that the trial is committed; on failure the page retries (with a visible
 * "connection lost" note) and never moves on as if the trial were stored.
 *
 * Voice sessions (body data-response="voice") ask for the microphone before anything else;
 * if the browser refuses it the page says so in one line and the session does not start (no
 * keyboard fallback). Each trial is recorded with MediaRecorder from the frame that draws the
 * target to the response deadline (start stamped with performance.now(), the onset clock),
 * uploaded to /recordings/<trial>, and then POSTed; the server runs the lab's voice key on the
 * recording and answers after the row is committed.
 *
 * window.mirrorlabOnline.events is a log of what the page showed (screens, target onsets,
 * commits, the end), with waitEvent(n) to wait for the n-th: automated pilots and the tests
 * use it to press keys at planned times.
 */
(function () {
  "use strict";

  const token = document.body.dataset.token;
  const api = "/api/s/" + token;
  const state = { events: [], waiters: [], microphone: null };

  function logEvent(event) {
    event.t_ms = performance.now();
    state.events.push(event);
    const ready = state.waiters.filter((w) => state.events.length > w.n);
    state.waiters = state.waiters.filter((w) => state.events.length <= w.n);
    ready.forEach((w) => w.resolve(state.events[w.n]));
  }

  window.mirrorlabOnline = {
    events: state.events,
    waitEvent(n) {
      if (state.events.length > n) return Promise.resolve(state.events[n]);
      return new Promise((resolve) => state.waiters.push({ n, resolve }));
    },
  };

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const nextFrame = () => new Promise((r) => requestAnimationFrame(r));

  function rgb(values) {
    return "rgb(" + values.join(",") + ")";
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;",
      '"': "&quot;", "'": "&#39;" }[c]));
  }

  function note(text) {
    const el = document.getElementById("mirrorlab-note");
    el.textContent = text || "";
  }

  // ------------------------------------------------------------------ server calls
  async function postJson(path, body, attempt) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 8000);
    try {
      const response = await fetch(api + path, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ attempt }, body)), signal: controller.signal,
        credentials: "same-origin", cache: "no-store",
      });
      let payload = null;
      try { payload = await response.json(); } catch (e) { payload = null; }
      return { status: response.status, payload };
    } finally {
      clearTimeout(timer);
    }
  }

  /** POST until the server says it is committed; 403/404/400 stop the session. A voice
   * trial posted before its recording arrived is answered { recording_missing: true }. */
  async function postUntilCommitted(path, body) {
    let attempt = 1;
    let delay = 200;
    for (;;) {
      let result = null;
      try {
        result = await postJson(path, body, attempt);
      } catch (e) {
        result = null;            // network error, server down, timeout
      }
      if (result && result.status === 200) {
        note("");
        return result.payload;
      }
      if (result && result.status === 409 && result.payload && result.payload.recording_missing) {
        return { recording_missing: true };
      }
      if (result && [400, 403, 404, 409, 413].includes(result.status)) {
        const message = (result.payload && result.payload.error) || ("error " + result.status);
        fail(message);
        throw new Error(message);
      }
      note("Connection lost: saving your answer again… / 接続が切れました。再送信しています…");
      logEvent({ type: "retry", path, attempt });
      await sleep(delay);
      delay = Math.min(delay * 2, 2000);
      attempt += 1;
    }
  }

  function fail(message, extra) {
    document.body.innerHTML = "<div id='mirrorlab-fatal' style='margin:3em;font-size:20px'>" +
      escapeHtml(message) + "</div>";
    logEvent(Object.assign({ type: "fatal", message }, extra || {}));
  }

  // ------------------------------------------------------------------ voice recordings
  const RECORDING_TAIL_MS = 500;
  const RECORDING_TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/mp4;codecs=opus",
                           "audio/mp4", "audio/ogg;codecs=opus"];

  /** The microphone stream and the recording type this browser makes, or an Error. */
  async function openMicrophone() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      const error = new Error("this browser cannot record audio (no getUserMedia/MediaRecorder)");
      error.name = "NotSupportedError";
      throw error;
    }
    const mimeType = RECORDING_TYPES.find((t) => MediaRecorder.isTypeSupported(t));
    if (!mimeType) {
      const error = new Error("this browser records no audio format the server reads");
      error.name = "NotSupportedError";
      throw error;
    }
    // raw signal: no echo cancellation, noise suppression or gain changes, which would move
    // and reshape the speech onset the voice key looks for
    const stream = await navigator.mediaDevices.getUserMedia({ audio: {
      echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    return { stream, mimeType };
  }

  function recorderFor(microphone) {
    const recorder = new MediaRecorder(microphone.stream, { mimeType: microphone.mimeType });
    const chunks = [];
    recorder.ondataavailable = (event) => { if (event.data && event.data.size) chunks.push(event.data); };
    const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
    return {
      recorder, startMs: null, stopMs: null,
      start() { this.startMs = performance.now(); recorder.start(); },
      async stop() {
        if (recorder.state === "inactive") return null;
        this.stopMs = performance.now();
        recorder.stop();
        await stopped;
        return new Blob(chunks, { type: recorder.mimeType || microphone.mimeType });
      },
    };
  }

  /** Upload one trial's recording until the server has kept it; 4xx (not audio, too large,
   * wrong link) stops the session. */
  async function uploadUntilStored(spec, blob) {
    const path = "/recordings/" + (spec.is_practice ? "p" : "t") + spec.trial_index;
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      let result = null;
      try {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 15000);
        try {
          const response = await fetch(api + path, {
            method: "POST", headers: { "Content-Type": blob.type }, body: blob,
            signal: controller.signal, credentials: "same-origin", cache: "no-store" });
          let payload = null;
          try { payload = await response.json(); } catch (e) { payload = null; }
          result = { status: response.status, payload };
        } finally {
          clearTimeout(timer);
        }
      } catch (e) {
        result = null;
      }
      if (result && result.status === 200) {
        note("");
        logEvent({ type: "uploaded", trial_index: spec.trial_index, is_practice: spec.is_practice,
                   bytes: blob.size, attempt });
        return result.payload;
      }
      if (result && result.status >= 400 && result.status < 500 && result.status !== 429) {
        const message = (result.payload && result.payload.error) || ("error " + result.status);
        fail(message);
        throw new Error(message);
      }
      note("Connection lost: saving your answer again… / 接続が切れました。再送信しています…");
      logEvent({ type: "retry", path, attempt });
      await sleep(delay);
      delay = Math.min(delay * 2, 2000);
    }
  }

  // ------------------------------------------------------------------ refresh estimate
  async function estimateRefreshMs(nFrames) {
    let previous = await nextFrame();
    const intervals = [];
    for (let i = 0; i < nFrames; i++) {
      const t = await nextFrame();
      intervals.push(t - previous);
      previous = t;
    }
    intervals.sort((a, b) => a - b);
    return intervals[Math.floor(intervals.length / 2)] || 1000 / 60;
  }

  // ------------------------------------------------------------------ the trial plugin
  function makeTrialPlugin(jsPsychModule) {
    const info = {
      name: "mirrorlab-trial",
      version: "1.0.0",
      parameters: {
        spec: { type: jsPsychModule.ParameterType.OBJECT, default: undefined },
        session: { type: jsPsychModule.ParameterType.OBJECT, default: undefined },
      },
      data: {
        trial_index_in_list: { type: jsPsychModule.ParameterType.INT },
        key: { type: jsPsychModule.ParameterType.STRING },
        rt_ms: { type: jsPsychModule.ParameterType.FLOAT },
      },
    };

    class MirrorlabTrialPlugin {
      constructor(jsPsych) { this.jsPsych = jsPsych; }

      drawItems(layer, items, font) {
        for (const item of items) {
          const el = document.createElement(item.kind === "image" ? "img" : "div");
          el.style.position = "absolute";
          el.style.left = "calc(50% + " + item.x_px + "px)";
          el.style.top = "calc(50% - " + item.y_px + "px)";
          el.style.transform = "translate(-50%, -50%)";
          if (item.kind === "image") {
            el.src = item.src;
            el.style.width = item.size_px + "px";
            el.style.height = item.size_px + "px";
            el.alt = "";
          } else {
            el.textContent = item.text;
            el.style.color = rgb(item.rgb);
            el.style.fontSize = item.height_px + "px";
            el.style.fontFamily = font;
            el.style.fontWeight = item.bold ? "bold" : "normal";
            el.style.whiteSpace = "pre";
          }
          layer.appendChild(el);
        }
      }

      async trial(display, trial) {
        const spec = trial.spec;
        const session = trial.session;
        const params = session.params;
        display.innerHTML = "";
        const stage = document.createElement("div");
        stage.id = "mirrorlab-stage";
        stage.style.cssText = "position:fixed;inset:0;overflow:hidden;background:" +
          rgb(params.background_rgb);
        display.appendChild(stage);

        const layers = spec.components.map((component) => {
          const layer = document.createElement("div");
          layer.style.cssText = "position:absolute;inset:0;visibility:hidden";
          this.drawItems(layer, component.items, session.font);
          stage.appendChild(layer);
          return { component, layer, shown: false, hidden: false };
        });
        // pictures decoded before the trial starts (no decode on the onset frame)
        await Promise.all(Array.from(stage.querySelectorAll("img")).map((img) =>
          img.decode ? img.decode().catch(() => null) : null));
        const fixation = document.createElement("div");
        fixation.textContent = "+";
        fixation.style.cssText = "position:absolute;left:50%;top:50%;transform:translate(-50%,-50%);" +
          "font-size:" + params.fixation_height_px + "px;color:" + rgb(params.foreground_rgb) +
          ";font-family:" + session.font;
        stage.appendChild(fixation);

        const measured = { onsets_ms: {}, offsets_ms: {} };
        const recording = state.microphone ? recorderFor(state.microphone) : null;
        await nextFrame();
        measured.fixation_onset_ms = performance.now();
        const firstStart = Math.min(0, ...spec.components.map((c) => c.start_ms));
        const zeroPlanned = measured.fixation_onset_ms + params.fixation_ms - firstStart;
        const refresh = session.refresh_interval_ms;
        let targetOnset = null;
        let response = null;

        const onKey = (event) => {
          if (targetOnset === null || response !== null || event.repeat) return;
          // a key stamped before the target's onset answers nothing shown yet
          if (event.timeStamp < targetOnset) return;
          const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
          if (!(key in spec.keys)) return;
          response = { key: spec.keys[key], time_ms: event.timeStamp };
        };
        document.addEventListener("keydown", onKey);

        // the frame loop: a component is drawn in the frame callback where its time has come
        // (within half a frame), and its onset is the performance.now() of the next callback
        let pendingStamp = [];
        let previousFrame = null;
        for (;;) {
          const frameTime = await nextFrame();
          const now = performance.now();
          for (const entry of pendingStamp) {
            measured.onsets_ms[entry.component.name] = now;
            if (entry.component.is_target) {
              targetOnset = now;
              measured.onset_frame_interval_ms = previousFrame === null ? null : frameTime - previousFrame;
              logEvent({ type: "onset", trial_index: spec.trial_index,
                         is_practice: spec.is_practice, onset_ms: now });
            }
          }
          pendingStamp = [];
          previousFrame = frameTime;
          const elapsed = now - zeroPlanned;
          if (targetOnset !== null) {
            const sinceTarget = now - targetOnset;
            const responded = response !== null;
            if ((responded && params.end_on_response) || sinceTarget >= params.response_deadline_ms) {
              break;
            }
          }
          for (const entry of layers) {
            const c = entry.component;
            if (!entry.shown && elapsed >= c.start_ms - refresh / 2) {
              if (fixation.parentNode) fixation.remove();
              entry.layer.style.visibility = "visible";
              entry.shown = true;
              pendingStamp.push(entry);
              // recording starts with the frame that draws the target (as the lab's
              // VoiceRecorder.start() right before the onset flip)
              if (recording && c.is_target && recording.startMs === null) recording.start();
            } else if (entry.shown && !entry.hidden && c.end_ms !== null &&
                       targetOnset !== null && now - targetOnset >= c.end_ms - refresh / 2) {
              entry.layer.style.visibility = "hidden";
              entry.hidden = true;
              measured.offsets_ms[c.name] = now;
            }
          }
        }
        document.removeEventListener("keydown", onKey);
        stage.innerHTML = "";
        const itiStart = performance.now();
        // a recording goes on into the ITI for RECORDING_TAIL_MS: MediaRecorder drops the
        // last, unfinished packet (up to ~60 ms for Opus) and the input path's delay, and a
        // voice onset just before the deadline must still be in the file
        let blob = null;
        if (recording) {
          await sleep(RECORDING_TAIL_MS);
          blob = await recording.stop();
        }
        const body = {
          trial_index: spec.trial_index, is_practice: spec.is_practice,
          key: response ? response.key : null,
          key_time_ms: response ? response.time_ms : null,
          target_onset_ms: targetOnset, fixation_onset_ms: measured.fixation_onset_ms,
          onsets_ms: measured.onsets_ms, offsets_ms: measured.offsets_ms,
          onset_frame_interval_ms: measured.onset_frame_interval_ms,
          refresh_interval_ms: refresh, after_resume: spec.after_resume || false,
        };
        let stored;
        if (recording) {
          Object.assign(body, { recording_start_ms: recording.startMs,
                                recording_stop_ms: recording.stopMs,
                                recording_type: blob ? blob.type : null });
          for (;;) {               // the row is written once the recording has been measured
            await uploadUntilStored(spec, blob);
            stored = await postUntilCommitted("/trials", body);
            if (!stored.recording_missing) break;
          }
        } else {
          stored = await postUntilCommitted("/trials", body);
        }
        logEvent({ type: "stored", trial_index: spec.trial_index, is_practice: spec.is_practice,
                   duplicate: !!stored.duplicate, rt_ms: stored.rt_ms === undefined ? null : stored.rt_ms });
        if (spec.is_practice && stored.correct !== null && stored.correct !== undefined) {
          const name = stored.rt_ms === null ? "too_slow" : (stored.correct ? "correct" : "error");
          const feedback = document.createElement("div");
          feedback.textContent = session.screens[name];
          feedback.style.cssText = "position:absolute;left:50%;top:50%;transform:translate(-50%,-50%);" +
            "font-size:28px;color:" + rgb(params.foreground_rgb) + ";font-family:" + session.font;
          stage.appendChild(feedback);
          await sleep(params.feedback_ms);
          stage.innerHTML = "";
        }
        const left = params.iti_ms - (performance.now() - itiStart);
        if (left > 0) await sleep(left);
        this.jsPsych.finishTrial({ trial_index_in_list: spec.trial_index,
                                   key: body.key, rt_ms: stored.rt_ms });
      }
    }
    MirrorlabTrialPlugin.info = info;
    return MirrorlabTrialPlugin;
  }

  // ------------------------------------------------------------------ the timeline
  function screenTrial(session, text, name) {
    return {
      type: jsPsychHtmlKeyboardResponse,
      stimulus: "<div class='mirrorlab-screen' style='white-space:pre-wrap;font-size:24px;" +
        "max-width:80vw;margin:auto;color:" + rgb(session.params.foreground_rgb) + ";font-family:" +
        session.font + "'>" + escapeHtml(text) + "</div>",
      choices: [" "],
      on_load: () => logEvent({ type: "screen", name }),
    };
  }

  function buildTimeline(session, TrialPlugin) {
    const timeline = [];
    const screens = session.screens;
    timeline.push(screenTrial(session, session.intro, "intro"));
    const practice = session.trials.filter((t) => t.is_practice);
    const main = session.trials.filter((t) => !t.is_practice);
    if (practice.length) {
      timeline.push(screenTrial(session, screens.practice + "\n\n" + screens.continue, "practice"));
      practice.forEach((spec) => timeline.push({ type: TrialPlugin, spec, session }));
      timeline.push(screenTrial(session, screens.practice_done + "\n\n" + screens.continue,
                                "practice_done"));
    }
    const blocks = Array.from(new Set(main.map((t) => t.block))).sort((a, b) => a - b);
    let previousBlock = null;
    main.forEach((spec, position) => {
      if (previousBlock !== null && spec.block !== previousBlock) {
        const finished = session.n_main_done + position;
        const text = screens.break.replace("{done}", String(blocks.indexOf(previousBlock) + 1 +
            (session.n_blocks - blocks.length)))
          .replace("{total}", String(session.n_blocks))
          .replace("{percent}", String(Math.round(100 * finished / Math.max(session.n_main_total, 1))));
        timeline.push(screenTrial(session, text + "\n\n" + screens.continue, "break"));
      }
      previousBlock = spec.block;
      if (position === 0 && session.resumed) spec.after_resume = true;
      timeline.push({ type: TrialPlugin, spec, session });
    });
    return timeline;
  }

  async function start() {
    let microphone = null;
    if (document.body.dataset.response === "voice") {
      try {
        microphone = await openMicrophone();
      } catch (e) {
        fail("This study records your spoken answers, but the browser did not allow the " +
             "microphone (" + (e.name || "error") + "); allow it for this page and reload. / " +
             "音声で回答する実験ですが、マイクが許可されませんでした。許可してから再読み込みしてください。",
             { microphone_refused: e.name || "error" });
        return;
      }
      logEvent({ type: "microphone", mime_type: microphone.mimeType,
                 settings: microphone.stream.getAudioTracks()[0].getSettings() });
    }
    let session;
    try {
      const response = await fetch(api + "/session", { cache: "no-store", credentials: "same-origin" });
      session = await response.json();
      if (response.status !== 200) {
        fail(session.error || ("error " + response.status));
        return;
      }
    } catch (e) {
      note("The server cannot be reached; reload the page in a moment. / サーバーに接続できません。");
      logEvent({ type: "unreachable" });
      return;
    }
    state.microphone = microphone;
    document.body.style.background = rgb(session.params.background_rgb);
    document.getElementById("mirrorlab-attribution").textContent = session.attribution || "";
    session.refresh_interval_ms = await estimateRefreshMs(30);
    await postUntilCommitted("/browser", {
      refresh_interval_ms: session.refresh_interval_ms,
      window_px: [window.innerWidth, window.innerHeight],
      device_pixel_ratio: window.devicePixelRatio,
    });
    logEvent({ type: "ready", resumed: session.resumed, n_trials: session.trials.length,
               refresh_interval_ms: session.refresh_interval_ms });
    const TrialPlugin = makeTrialPlugin(jsPsychModule);
    const jsPsych = initJsPsych({ display_element: "mirrorlab-target" });
    await jsPsych.run(buildTimeline(session, TrialPlugin));
    await postUntilCommitted("/finish", {});
    if (microphone) microphone.stream.getTracks().forEach((track) => track.stop());
    document.getElementById("mirrorlab-target").innerHTML =
      "<div class='mirrorlab-screen' style='white-space:pre-wrap;font-size:24px;margin:3em;color:" +
      rgb(session.params.foreground_rgb) + "'>" + escapeHtml(session.screens.end) + "</div>";
    logEvent({ type: "end" });
  }

  start();
})();
