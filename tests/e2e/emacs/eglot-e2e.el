;;; eglot-e2e.el --- end-to-end test of `nianbao lsp' with Emacs + eglot, batch -*- lexical-binding: t -*-
;;
;; emacs --batch -Q -l tests/e2e/emacs/eglot-e2e.el
;; Environment: NIANBAO_BIN, E2E_FILE (scratch copy of fixtures/report.md), E2E_RESULTS, E2E_LABEL.
;;
;; eglot (1.9 in Debian bookworm) speaks UTF-16 and only takes pushed diagnostics, which it hands
;; to flymake.  Code actions go through `eglot-code-actions' the way M-x does, with the menu
;; answered by its default (the preferred action).  Expected positions are computed from the
;; buffer text.

(require 'package)
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'cl-lib)
(require 'subr-x)
(require 'eglot)
(require 'flymake)
(require 'markdown-mode nil t)

(defvar e2e-bin (getenv "NIANBAO_BIN"))
(defvar e2e-file (getenv "E2E_FILE"))
(defvar e2e-results (getenv "E2E_RESULTS"))
(defvar e2e-timeout (string-to-number (or (getenv "E2E_TIMEOUT") "15")))
(defvar e2e-eglot-version
  (let ((d (cadr (assq 'eglot package-alist))))
    (if d (mapconcat #'number-to-string (package-desc-version d) ".") "builtin")))
(defvar e2e-label (or (getenv "E2E_LABEL")
                      (format "emacs-%s+eglot-%s" emacs-version e2e-eglot-version)))
(defvar e2e-failures 0)

(defun e2e-emit (line)
  (write-region (concat line "\n") nil e2e-results 'append 'silent))
(defun e2e-record (ok name &optional detail)
  (if ok
      (e2e-emit (format "ok - %s: %s" e2e-label name))
    (cl-incf e2e-failures)
    (e2e-emit (format "not ok - %s: %s%s" e2e-label name
                      (if detail (concat " -- " (replace-regexp-in-string "\n" " | " detail)) ""))))
  ok)
(defun e2e-info (msg) (e2e-emit (format "# %s: %s" e2e-label msg)))

;;; ------------------------------------------------------------ text helpers (buffer positions)
(defun e2e-cells (lbp line)
  "Trimmed |-separated fields of LINE starting at buffer position LBP: (BEG END TEXT)."
  (let ((out nil) (pos 0))
    (dolist (part (split-string line "|"))
      (when (string-match "[^ \t]" part)
        (let* ((lead (match-beginning 0))
               (trail (progn (string-match "[ \t]*\\'" part) (match-beginning 0))))
          (push (list (+ lbp pos lead) (+ lbp pos trail) (substring part lead trail)) out)))
      (setq pos (+ pos (length part) 1)))
    (nreverse out)))
(defun e2e-numbers (lbp line)
  (cl-remove-if-not (lambda (c) (string-match-p "\\`[0-9]+\\'" (nth 2 c))) (e2e-cells lbp line)))
(defun e2e-row (pred)
  "(LBP . LINE) of the first buffer line satisfying PRED."
  (save-excursion
    (goto-char (point-min))
    (catch 'found
      (while (not (eobp))
        (let ((l (buffer-substring-no-properties (line-beginning-position) (line-end-position))))
          (when (funcall pred l) (throw 'found (cons (line-beginning-position) l))))
        (forward-line 1))
      (error "fixture line not found"))))
(defun e2e-row-yi () (e2e-row (lambda (l) (and (string-search "|" l) (string-search "予以公开" l)))))
(defun e2e-row-qi () (e2e-row (lambda (l) (and (string-search "|" l)
                                              (or (string-search "(七)总计" l) (string-search "（七）总计" l))))))
(defun e2e-row-si () (e2e-row (lambda (l) (string-prefix-p "四、结转下年度继续办理"
                                                          (replace-regexp-in-string "\\`[| \t]+" "" l)))))
(defun e2e-target (row idx)
  (let ((r (funcall row))) (nth (1- idx) (e2e-numbers (car r) (cdr r)))))
(defun e2e-values (row)
  (let ((r (funcall row))) (mapconcat (lambda (c) (nth 2 c)) (e2e-numbers (car r) (cdr r)) ",")))

;;; ------------------------------------------------------------ diagnostics helpers
(defun e2e-code (d)
  (let* ((lsp (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))))
         (c (and lsp (plist-get lsp :code))))
    (if (numberp c) (number-to-string c) c)))
(defun e2e-nb (&optional prefix)
  (cl-remove-if-not (lambda (d) (let ((c (e2e-code d)))
                                  (and (stringp c) (string-prefix-p (or prefix "NB") c))))
                    (flymake-diagnostics)))
(defun e2e-describe (ds)
  (mapconcat (lambda (d) (format "%s@%d-%d" (e2e-code d) (flymake-diagnostic-beg d) (flymake-diagnostic-end d)))
             ds " "))
(defun e2e-wait (pred)
  (let ((deadline (+ (float-time) e2e-timeout)) (next-flymake 0))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05)
      ;; batch Emacs runs no idle timers and no post-command hooks: send pending changes and
      ;; restart flymake ourselves, as the idle timers would in an interactive session
      (when (and (eglot-current-server) eglot--recent-changes)
        (eglot--signal-textDocument/didChange))
      (when (> (float-time) next-flymake)
        (flymake-start)
        (setq next-flymake (+ (float-time) 0.3))))
    (funcall pred)))
(defun e2e-check-targets (code targets)
  (let* ((ds (e2e-nb code))
         (bad (cl-loop for tg in targets
                       for n = (cl-count-if (lambda (d) (and (= (flymake-diagnostic-beg d) (nth 0 tg))
                                                             (= (flymake-diagnostic-end d) (nth 1 tg))))
                                            ds)
                       unless (= n 1) collect (format "%d-%d %S seen %d times" (nth 0 tg) (nth 1 tg) (nth 2 tg) n))))
    (e2e-record (and (null bad) (= (length ds) (length targets)))
                (format "%s on exactly the wrong cell(s)" code)
                (format "expected %d at %s, got [%s]" (length targets) (string-join bad "; ") (e2e-describe ds)))))

(defvar e2e-pushes-before-action 0)
(defun e2e-await-server ()
  "Send pending changes now and wait for the publishDiagnostics that answers them.
Flymake drops diagnostics whose text was edited, so an empty list right after an edit proves
nothing: only a publish that came after the edit does."
  (when eglot--recent-changes (eglot--signal-textDocument/didChange))
  (let ((ok (e2e-wait (lambda () (> e2e-pushes e2e-pushes-before-action)))))
    (flymake-start)
    (accept-process-output nil 0.1)
    (e2e-record ok "server publishes diagnostics for the edited text"
                (format "%d pushes before the action, %d now" e2e-pushes-before-action e2e-pushes))))

(defun e2e-code-action (beg end kind)
  "Run KIND code actions between BEG and END as M-x eglot-code-actions would, taking the default."
  (setq e2e-pushes-before-action e2e-pushes)
  (let ((last-nonmenu-event ?\r)
        (chosen nil))
    (cl-letf (((symbol-function 'completing-read)
               (lambda (_prompt collection &optional _pred _req _init _hist def &rest _)
                 (e2e-info (format "menu: %S, default %S" (mapcar #'car collection) def))
                 (setq chosen def)
                 def)))
      (condition-case err
          (progn (eglot-code-actions beg end kind t) t)
        (error (e2e-info (format "eglot-code-actions %s: %s" kind (error-message-string err))) nil)))))

;;; ------------------------------------------------------------ the test
(defvar e2e-pushes 0)
(defvar e2e-pushes-with-items 0)
(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql textDocument/publishDiagnostics)) &key _uri diagnostics &allow-other-keys)
  (cl-incf e2e-pushes)
  (when (> (length diagnostics) 0) (cl-incf e2e-pushes-with-items)))

(defun e2e-main ()
  (setq eglot-server-programs `(((markdown-mode gfm-mode text-mode) . (,e2e-bin "lsp")))
        eglot-confirm-server-initiated-edits nil
        eglot-sync-connect e2e-timeout
        eglot-autoreconnect nil
        eglot-send-changes-idle-time 0.1)
  (find-file e2e-file)
  (if (fboundp 'markdown-mode) (markdown-mode) (text-mode))
  (e2e-info (format "major-mode=%s" major-mode))
  (apply #'eglot (eglot--guess-contact))
  (unless (e2e-record (eglot-current-server) "eglot connected") (error "no server"))
  (let ((server (eglot-current-server)))
    ;; 1. diagnostics
    (unless (e2e-record (e2e-wait (lambda () (e2e-nb "NB301"))) "NB301 diagnostic arrives"
                        (format "diagnostics: [%s]" (e2e-describe (e2e-nb))))
      (error "no diagnostics"))
    (accept-process-output nil 0.3)
    (flymake-start)
    (accept-process-output nil 0.1)
    (e2e-info (format "pushes=%d (with items %d), positionEncoding=%S" e2e-pushes e2e-pushes-with-items
                      (plist-get (eglot--capabilities server) :positionEncoding)))
    (e2e-check-targets "NB301" (list (e2e-target #'e2e-row-yi 7)))
    ;; three independent mistakes, each the one cell the localiser names; no other NB3xx
    (e2e-check-targets "NB302" (list (e2e-target #'e2e-row-qi 1)))
    (e2e-check-targets "NB303" (list (e2e-target #'e2e-row-si 1)))
    (e2e-record (= 3 (length (e2e-nb "NB3"))) "exactly three NB3xx findings, one per wrong cell"
                (e2e-describe (e2e-nb "NB3")))
    (let* ((d (car (e2e-nb "NB301")))
           (covered (buffer-substring-no-properties (flymake-diagnostic-beg d) (flymake-diagnostic-end d))))
      (e2e-record (equal covered (nth 2 (e2e-target #'e2e-row-yi 7)))
                  "NB301 range covers the total cell text" (format "covers %S" covered))
      (e2e-record (string-prefix-p "nianbao" (flymake-diagnostic-text d))
                  "diagnostic source is \"nianbao\"" (flymake-diagnostic-text d)))
    (e2e-record (> e2e-pushes-with-items 0) "push client gets publishDiagnostics")

    ;; 2. quick fix at the wrong total cell
    (let* ((d (car (e2e-nb "NB301"))) (beg (flymake-diagnostic-beg d)) (end (flymake-diagnostic-end d)))
      (goto-char beg)
      (when (e2e-record (e2e-code-action beg end "quickfix") "quickfix applied at the NB301 cell")
        (e2e-await-server)
        (e2e-record (e2e-wait (lambda () (and (null (e2e-nb "NB301")) (e2e-nb "NB30"))))
                    "quick fix clears NB301"
                    (format "diagnostics [%s], row (一) %s" (e2e-describe (e2e-nb)) (e2e-values #'e2e-row-yi)))
        (e2e-record (equal (e2e-values #'e2e-row-yi) "3,0,0,0,0,0,3") "quick fix wrote the total"
                    (e2e-values #'e2e-row-yi))))

    ;; 3. fix-all
    (goto-char (point-min))
    (when (e2e-record (e2e-code-action (point-min) (point-max) "source.fixAll.nianbao")
                      "source.fixAll.nianbao applied")
      (e2e-await-server)
      (e2e-record (e2e-wait (lambda () (and (null (e2e-nb "NB3"))
                                            (equal (e2e-values #'e2e-row-qi) "3,0,0,0,0,0,3")
                                            (equal (e2e-values #'e2e-row-si) "1,0,0,0,0,0,1"))))
                  "fix-all leaves no NB3xx"
                  (format "diagnostics [%s]; (一)=%s (七)=%s 四=%s" (e2e-describe (e2e-nb))
                          (e2e-values #'e2e-row-yi) (e2e-values #'e2e-row-qi) (e2e-values #'e2e-row-si)))
      (accept-process-output nil 0.3)
      (flymake-start)
      (accept-process-output nil 0.1)
      (e2e-record (null (e2e-nb "NB3")) "no NB3xx comes back after fix-all" (e2e-describe (e2e-nb))))

    ;; 4. the nianbao.fixAll command: the server edits through workspace/applyEdit
    (when-let ((original (getenv "E2E_ORIGINAL")))
      (setq e2e-pushes-before-action e2e-pushes)
      (let ((inhibit-read-only t))
        (erase-buffer)
        (insert-file-contents original))
      (e2e-await-server)
      (when (e2e-record (= 1 (length (e2e-nb "NB301"))) "NB301 back after restoring the original text"
                        (e2e-describe (e2e-nb)))
        (setq e2e-pushes-before-action e2e-pushes)
        (e2e-record (condition-case err
                        (progn (eglot-execute-command server 'nianbao.fixAll
                                                      (vector (eglot--path-to-uri buffer-file-name)))
                               t)
                      (error (e2e-info (error-message-string err)) nil))
                    "eglot-execute-command nianbao.fixAll succeeds")
        (e2e-await-server)
        (e2e-record (e2e-wait (lambda () (and (null (e2e-nb "NB3"))
                                              (equal (e2e-values #'e2e-row-qi) "3,0,0,0,0,0,3")
                                              (equal (e2e-values #'e2e-row-si) "1,0,0,0,0,0,1"))))
                    "nianbao.fixAll (workspace/applyEdit) leaves no NB3xx"
                    (format "diagnostics [%s]; (一)=%s (七)=%s 四=%s" (e2e-describe (e2e-nb))
                            (e2e-values #'e2e-row-yi) (e2e-values #'e2e-row-qi) (e2e-values #'e2e-row-si)))))

    (let ((events (jsonrpc-events-buffer server))
          (log (getenv "E2E_EVENTS")))
      (when (and log (buffer-live-p events))
        (with-current-buffer events (write-region (point-min) (point-max) log nil 'silent))))
    (set-buffer-modified-p nil)
    (eglot-shutdown server)))

(condition-case err
    (e2e-main)
  (error (e2e-record nil "script error" (error-message-string err))))
(kill-emacs (min e2e-failures 100))
