;;; test_eglot.el --- eglot batch test of the snippet in editors/README.md  -*- lexical-binding: t -*-
;;
;; emacs --batch -Q -l test_eglot.el
;; Env: NB_README (editors/README.md), NB_REPORT (a copy of the report), NB_OUT (result lines).
;; `nianbao' must be on PATH (exec-path is set from PATH).

(require 'cl-lib)
(require 'subr-x)
(setq package-directory-list (cons "/usr/share/emacs/site-lisp/elpa" package-directory-list))
(package-initialize)

(defvar nb-failures 0)
(defvar nb-out (getenv "NB_OUT"))

(defun nb-report (ok name &optional why)
  (let ((line (if ok (format "ok %s\n" name)
                (setq nb-failures (1+ nb-failures))
                (format "FAIL %s: %s\n" name why))))
    (princ line #'external-debugging-output)
    (write-region line nil nb-out t 'silent)))

(defun nb-log (fmt &rest args)
  (let ((line (concat "  " (apply #'format fmt args) "\n")))
    (write-region line nil nb-out t 'silent)))

(defun nb-wait (pred secs)
  (let ((end (+ (float-time) secs)) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) end))
      (accept-process-output nil 0.1))
    v))

;; 1. Evaluate the documented snippet, exactly as a user would paste it.
(let* ((readme (with-temp-buffer
                 (insert-file-contents (getenv "NB_README"))
                 (buffer-string)))
       (start (string-match ";; >>> nianbao eglot" readme))
       (end (string-match ";; <<< nianbao eglot" readme)))
  (nb-report (and start end) "snippet found in editors/README.md")
  (with-temp-buffer
    (insert (substring readme start end))
    (eval-buffer)))

(setq exec-path (append (split-string (getenv "PATH") ":") exec-path))
(nb-report (executable-find "nianbao") "nianbao on exec-path")

(defun nb-diags ()
  (cl-remove-if-not (lambda (d) (string-match-p "NB[0-9]+" (flymake-diagnostic-text d)))
                    (flymake-diagnostics)))

(defun nb-diag (code)
  (cl-find-if (lambda (d) (string-match-p code (flymake-diagnostic-text d))) (nb-diags)))

(defun nb-line-of (d)
  (save-excursion
    (goto-char (flymake-diagnostic-beg d))
    (buffer-substring-no-properties (line-beginning-position) (line-end-position))))

;; 2. Open the report: the snippet's hook calls eglot-ensure, which connects from the
;; next command-loop iteration; batch mode has none, so run the hook by hand.
(defun nb-open ()
  (find-file (getenv "NB_REPORT"))
  (nb-log "major mode: %s" major-mode)
  (run-hooks 'post-command-hook)
  (nb-report (nb-wait (lambda () (eglot-current-server)) 15) "eglot connected")
  (nb-log "server: %S" (plist-get (eglot--server-info (eglot-current-server)) :name))
  (flymake-start))

(defun nb-reload ()
  "Put the original report text back and wait for NB301."
  (erase-buffer)
  (insert-file-contents (getenv "NB_REPORT"))
  (eglot--signal-textDocument/didChange)
  (nb-wait (lambda () (flymake-start) (nb-diag "NB301")) 10))

;; 3. The diagnostic at the wrong cell, and its quick fix.
(defun nb-quick-fix ()
  (let ((d (nb-wait (lambda () (nb-diag "NB301")) 15)))
    (nb-report d "NB301 diagnostic in flymake" (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))
    (when d
      (let* ((text (buffer-substring-no-properties (flymake-diagnostic-beg d) (flymake-diagnostic-end d)))
             (line (nb-line-of d))
             (col (save-excursion (goto-char (flymake-diagnostic-beg d)) (- (point) (line-beginning-position)))))
        (nb-log "message: %s" (flymake-diagnostic-text d))
        (nb-report (and (string-match-p "予以公开" line) (equal text "0")
                        (= col (- (length line) (length "0 |"))))
                   "NB301 range covers the 总计 cell of （一）予以公开"
                   (format "line %S col %d text %S" line col text))
        ;; The second mistake: 自然人 of （七）总计 is 0 under a column of 3.  One finding per
        ;; wrong cell, nothing on the correct totals whose identities the mistakes break.
        (let* ((nb3 (cl-remove-if-not (lambda (x) (string-match-p "NB3[0-9][0-9]" (flymake-diagnostic-text x)))
                                      (nb-diags)))
               (d302 (nb-diag "NB302"))
               (l302 (and d302 (nb-line-of d302)))
               (t302 (and d302 (buffer-substring-no-properties (flymake-diagnostic-beg d302)
                                                               (flymake-diagnostic-end d302))))
               (c302 (and d302 (save-excursion (goto-char (flymake-diagnostic-beg d302))
                                               (- (point) (line-beginning-position))))))
          (nb-report (and (= (length nb3) 2) d302 (string-match-p "(七)总计\\|（七）总计" l302)
                          (equal t302 "0") (= c302 (+ 2 (string-match "| 0 |" l302))))
                     "exactly two NB3xx: NB301 and NB302 on the 自然人 cell of （七）总计"
                     (mapcar #'flymake-diagnostic-text nb3)))
        (goto-char (flymake-diagnostic-beg d))
        (let ((actions (eglot-code-actions (flymake-diagnostic-beg d) (flymake-diagnostic-end d) "quickfix")))
          (nb-report actions "quick fix offered")
          (when actions
            (let ((a (car actions)))
              (nb-log "quick fix: %s" (plist-get a :title))
              (nb-report (plist-get a :edit) "quick fix carries its edit inline (no resolve support in eglot 1.9)")
              (when (plist-get a :edit)
                (eglot--apply-workspace-edit (plist-get a :edit))))
            (nb-report (string-match-p "| 3 |[ \t]*$" (nb-line-of d))
                       "quick fix rewrote the 总计 cell to 3" (nb-line-of d))))))))

;; 4. The documented fix-all command.
(defun nb-fix-all ()
  (nb-reload)
  (nianbao-fix-all)
  (let* ((lines (split-string (buffer-string) "\n"))
         (row1 (cl-find-if (lambda (l) (string-match-p "予以公开" l)) lines))
         (row7 (cl-find-if (lambda (l) (string-match-p "(七)总计\\|（七）总计" l)) lines)))
    (nb-report (and row1 (string-match-p "| 3 |[ \t]*$" row1)) "nianbao-fix-all fixed the row total" row1)
    (nb-report (and row7 (string-match-p "^[^|]*| 3 |" row7) (string-match-p "| 3 |[ \t]*$" row7))
               "nianbao-fix-all fixed （七）总计" row7)))

;; 5. Settings through eglot-workspace-configuration: switch to English.
(defun nb-language ()
  (nb-reload)
  (let ((zh (flymake-diagnostic-text (nb-diag "NB301"))))
    (setq-default eglot-workspace-configuration '(:nianbao (:language "en")))
    (eglot-signal-didChangeConfiguration (eglot-current-server))
    (let ((en (nb-wait (lambda ()
                         (flymake-start)
                         (let* ((d (nb-diag "NB301")) (m (and d (flymake-diagnostic-text d))))
                           (and m (not (equal m zh)) m)))
                       10)))
      (nb-log "message (en): %s" en)
      (nb-report en "eglot-workspace-configuration :language \"en\" switches messages" zh))))

(dolist (step '(nb-open nb-quick-fix nb-fix-all nb-language))
  (condition-case e
      (funcall step)
    (error (nb-report nil (format "%s" step) (error-message-string e)))))
(ignore-errors
  (set-buffer-modified-p nil)
  (eglot-shutdown (eglot-current-server)))

(kill-emacs (if (> nb-failures 0) 1 0))
