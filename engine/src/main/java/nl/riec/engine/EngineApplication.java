package nl.riec.engine;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Camunda 7 engine with its REST API and webapps. Deliberately empty: the
 * process logic is in bpmn/, the automated work in the Python workers.
 */
@SpringBootApplication
public class EngineApplication {
  public static void main(String[] args) {
    SpringApplication.run(EngineApplication.class, args);
  }
}
